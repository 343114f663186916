"""The dashboard's figures for one year at 40,000 reports (a large city; Stockholm received
39,886 in 2023) against 4,000: target at most 3 x, and under a second on this machine class
as orientation. A measurement, not a pass/fail test: it always exits 0.

Each size gets a fresh embedded database in a temp folder (or, with MOTTAGNING_BENCH_DB set to
a PostgreSQL server URL containing `{name}`, e.g. postgresql://u@h/{name}, two empty databases
made beforehand). The year is filled by the bulk demo (`mottagning.demo_bulk`): synthetic rows
shaped like a real unit's year: 1–3 children per report, repeat children, skyddsbedömningar,
decisions and extensions; no text anyone could mistake for a case.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    """A year of synthetic rows through the bulk demo (`mottagning demo --bulk`)."""
    result = fill_bulk(database, reports=reports, seed=seed, now=YEAR_END, start=YEAR_START)
    with database.transaction() as session:
        senior = session.execute(select(User).where(User.username == "maria")).scalar_one()
        return actor_for(senior), result.items


def measure(url: str, reports: int) -> tuple[float, int]:
    database = open_database(url, migrate=True)
    actor, items = fill(database, reports)
    best = float("inf")
    for _ in range(3):
        with database.transaction() as session:
            start = time.perf_counter()
            figures = compute_figures(session, actor, YEAR, now=NOW)
            best = min(best, time.perf_counter() - start)
    assert figures["reports_received"] == reports, figures["reports_received"]
    database.dispose()
    return best, items


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        template = os.environ.get("MOTTAGNING_BENCH_DB") or f"sqlite:///{Path(folder) / '{name}.db'}"
        small, small_items = measure(template.format(name="stats_small"), 4_000)
        large, large_items = measure(template.format(name="stats_large"), 40_000)
    print(f"figures for a year of  4,000 reports ({small_items:>6} items): {small * 1000:8.1f} ms")
    print(f"figures for a year of 40,000 reports ({large_items:>6} items): {large * 1000:8.1f} ms")
    print(f"ratio: {large / small:.2f} (target at most 3; under a second as orientation)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
