"""The dashboard's figures for one year at 40,000 reports (a large city; Stockholm received
39,886 in 2023) against 4,000: target at most 3 x, and under a second on this machine class
as orientation. A measurement, not a pass/fail test: it records into results.json (see
_results.py) and always exits 0.

Each size is an embedded database built once and kept in benchmarks/.cache/ (encrypted with a
fixed benchmark key: the data are synthetic); delete the folder to build them again. With
MOTTAGNING_BENCH_DB set to a PostgreSQL server URL containing `{name}`, e.g.
postgresql://u@h/{name}, two empty databases made beforehand are filled and measured instead.
The year is filled by the bulk demo (`mottagning.demo_bulk`, as `mottagning demo --bulk`):
1–3 children per report, repeat children, skyddsbedömningar, decisions and extensions; no text
anyone could mistake for a case.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = Path(__file__).with_name(".cache")
# The cached files must open again on the next run: a fixed key, for synthetic data only.
os.environ["MOTTAGNING_DB_KEY"] = "b3" * 32
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from _results import record  # noqa: E402
from sqlalchemy import select  # noqa: E402

from mottagning.access.users import actor_for  # noqa: E402
from mottagning.db.database import open_database  # noqa: E402
from mottagning.demo_bulk import fill_bulk  # noqa: E402
from mottagning.models import User  # noqa: E402
from mottagning.stats.figures import compute_figures  # noqa: E402
from mottagning.stats.period import Period  # noqa: E402

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
# the year in UTC, inside the year in Stockholm at both ends
YEAR_START = datetime(2025, 1, 1, 0, 0, tzinfo=UTC)
YEAR_END = datetime(2025, 12, 31, 22, 0, tzinfo=UTC)


def fill(database, reports: int, *, seed: int = 1):  # type: ignore[no-untyped-def]
    """A year of synthetic rows through the bulk demo (`mottagning demo --bulk`); the senior
    who reads the figures and the number of queue items made."""
    result = fill_bulk(database, reports=reports, seed=seed, now=YEAR_END, start=YEAR_START)
    return _senior(database), result.items


def _senior(database):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return actor_for(session.execute(select(User).where(User.username == "maria")).scalar_one())


def _cached(reports: int) -> str:
    """The embedded database of `reports` reports, built the first time (into a temporary
    name, so an interrupted build is never taken for a finished one)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"stats_bulk_{reports}.db"
    if not path.exists():
        building = path.with_suffix(".building")
        for leftover in CACHE.glob(f"{building.name}*"):
            leftover.unlink()
        database = open_database(f"sqlite:///{building}", migrate=True)
        fill(database, reports)
        database.dispose()
        building.rename(path)
        for sidecar in CACHE.glob(f"{building.name}.*"):  # e.g. its audit anchor
            sidecar.rename(CACHE / sidecar.name.replace(building.name, path.name, 1))
    return f"sqlite:///{path}"


def measure(urls: dict[int, str], *, filled: bool, rounds: int = 5) -> dict[int, float]:
    """The best computation of each size in milliseconds, after a warm-up. The sizes take
    turns, so a busy machine slows both alike and the ratio stays meaningful."""
    databases, actors = {}, {}
    for reports, url in urls.items():
        databases[reports] = open_database(url, migrate=True)
        if not filled:
            fill(databases[reports], reports)
        actors[reports] = _senior(databases[reports])
    best = dict.fromkeys(urls, float("inf"))
    for _ in range(rounds + 1):
        for reports, database in databases.items():
            with database.transaction() as session:
                start = time.perf_counter()
                figures = compute_figures(session, actors[reports], YEAR, now=NOW, audited=False)
                best[reports] = min(best[reports], (time.perf_counter() - start) * 1000)
            assert figures["reports_received"] == reports, figures["reports_received"]
    for database in databases.values():
        database.dispose()
    return best


def main() -> int:
    server = os.environ.get("MOTTAGNING_BENCH_DB")
    if server:
        best = measure({4_000: server.format(name="stats_small"),
                        40_000: server.format(name="stats_large")}, filled=False)
        backend = "postgresql"
    else:
        best = measure({4_000: _cached(4_000), 40_000: _cached(40_000)}, filled=True)
        backend = "sqlite"
    record(f"stats: dashboard figures, a year of 4,000 vs 40,000 reports ({backend})",
           small_ms=best[4_000], large_ms=best[40_000], target=3.0,
           note="under a second at 40,000 as orientation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
