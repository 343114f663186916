"""The dashboard's figures for one year at 40,000 reports (a large city; Stockholm received
39,886 in 2023) against 4,000: target at most 3 x, and under a second on this machine class
as orientation. A measurement, not a pass/fail test: it records into results.json (see
_results.py) and always exits 0.

Each size is an embedded database built once and kept in benchmarks/.cache/ (encrypted with a
fixed benchmark key: the data are synthetic); delete the folder to build them again. With
MOTTAGNING_BENCH_DB set to a PostgreSQL server URL containing `{name}`, e.g.
postgresql://u@h/{name}, two empty databases made beforehand are filled and measured instead.
The year is filled by bulk inserts of synthetic rows shaped like a real unit's year: 1–3
children per report, repeat children, skyddsbedömningar, decisions, extensions and
återkoppling tasks; no text anyone could mistake for a case.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = Path(__file__).with_name(".cache")
# The cached files must open again on the next run: a fixed key, for synthetic data only.
os.environ["MOTTAGNING_DB_KEY"] = "b3" * 32
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from _results import record  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from mottagning.access.users import actor_for, add_user  # noqa: E402
from mottagning.db.database import open_database  # noqa: E402
from mottagning.models import (  # noqa: E402
    Assessment,
    Child,
    Decision,
    FeedbackTask,
    QueueItem,
    Report,
    User,
)
from mottagning.rules.codes import codes  # noqa: E402
from mottagning.rules.deadlines import decision_due, protection_due  # noqa: E402
from mottagning.rules.outcomes import Outcome  # noqa: E402
from mottagning.stats.figures import compute_figures  # noqa: E402
from mottagning.stats.period import Period  # noqa: E402

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CHUNK = 5_000


def _chunks(table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def, type-arg]
    for start in range(0, len(rows), CHUNK):
        yield insert(table), rows[start:start + CHUNK]


def fill(database, reports: int, *, seed: int = 1):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    lists = codes()
    channels = list(lists.channels)
    categories = list(lists.reporter_categories)
    concerns = list(lists.concern_categories)
    outcomes = [o.value for o in Outcome]
    with database.transaction() as session:
        add_user(session, None, username="bench", full_name="Bänk Mätning", roles=["worker", "senior"])
        user = session.query(User).filter_by(username="bench").one()
        actor = actor_for(user)
        start = YEAR.start
        year_seconds = int((YEAR.end - YEAR.start).total_seconds())
        rows: dict[str, list[dict]] = {"reports": [], "children": [], "items": [],  # type: ignore[type-arg]
                                       "assessments": [], "decisions": [], "feedback": []}
        child_ids: list[int] = []
        used: set[str | None] = set()
        item_id = 0
        for report_id in range(1, reports + 1):
            received = start + timedelta(seconds=rng.randrange(year_seconds))
            chosen = rng.sample(concerns, k=rng.randint(1, 2))
            rows["reports"].append(dict(
                id=report_id, received_at=received, channel=rng.choice(channels),
                reporter_category=rng.choice(categories), reporter_anonymous=False,
                reporter_wants_feedback=True, concern_codes=chosen, description="Syntetisk.",
                immediate_danger=False, data_quality_warnings=[], registered_at=received,
                registered_by_id=user.id, version=1))
            in_report: set[int] = set()
            for _ in range(rng.choices([1, 2, 3], weights=[70, 22, 8])[0]):
                if child_ids and rng.random() < 0.15 and len(in_report) < len(child_ids):
                    child_id = rng.choice(child_ids)
                    while child_id in in_report:
                        child_id = rng.choice(child_ids)
                else:
                    child_id = len(child_ids) + 1
                    child_ids.append(child_id)
                    birth = date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365))
                    number = f"{birth:%Y%m%d}-{rng.randrange(10_000):04d}"
                    if number in used or rng.random() < 0.05:
                        number = None
                    used.add(number)
                    rows["children"].append(dict(
                        id=child_id, personnummer=number,
                        name=f"Barn {child_id}", birth_date=birth, coordination_number=False,
                        protected_identity=False, created_at=received))
                in_report.add(child_id)
                item_id += 1
                violent = bool(set(chosen) & lists.violence_concerns)
                assessed = received + timedelta(hours=rng.uniform(0.5, 30))
                decided = received + timedelta(days=rng.uniform(1, 18))
                has_decision = decided < NOW and rng.random() < 0.95
                outcome = rng.choice(outcomes) if has_decision else None
                extended = decision_due(received) + timedelta(days=14) if rng.random() < 0.03 else None
                rows["items"].append(dict(
                    id=item_id, report_id=report_id, child_id=child_id,
                    status="decision_signed" if has_decision else "initial_assessment",
                    received_at=received, protection_due=protection_due(received),
                    decision_due=decision_due(received), decision_due_extended=extended,
                    flag_violence=violent, flag_immediate_danger=False, flag_data_quality=False,
                    flag_repeat=False, outcome=outcome, created_at=received, updated_at=received,
                    version=1))
                if rng.random() < 0.97:
                    rows["assessments"].append(dict(
                        item_id=item_id, form_id="skyddsbedomning", form_version=1,
                        form_sha256="0" * 64, status="finished", answers={}, notes={},
                        shown_questions=[], rules_fired=[], outcome="no_immediate_need",
                        checklist={}, started_by_id=user.id, started_at=assessed,
                        updated_at=assessed, finished_by_id=user.id, finished_at=assessed, version=1))
                if has_decision:
                    decision_id = len(rows["decisions"]) + 1
                    rows["decisions"].append(dict(
                        id=decision_id, item_id=item_id, outcome=outcome, motivation="Syntetisk.",
                        notes="", contacts=[], urgent=False, status="signed",
                        proposed_by_id=user.id, proposed_at=decided - timedelta(hours=3),
                        signed_by_id=user.id, signed_at=decided, violence_acknowledged=violent,
                        overdue_at_signing=False, version=1))
                    if outcome != Outcome.VIDAREBEFORDRAS and rng.random() < 0.3:
                        due = decided + timedelta(days=14)
                        done = decided + timedelta(days=rng.uniform(0, 20))
                        rows["feedback"].append(dict(
                            item_id=item_id, decision_id=decision_id, content="opened",
                            created_at=decided, due_at=due, done=done < NOW,
                            done_at=done if done < NOW else None))
        for model, key in ((Report, "reports"), (Child, "children"), (QueueItem, "items"),
                           (Assessment, "assessments"), (Decision, "decisions"),
                           (FeedbackTask, "feedback")):
            for statement, chunk in _chunks(model.__table__, rows[key]):
                session.execute(statement, chunk)
    return actor, item_id


def _cached(reports: int) -> str:
    """The embedded database of `reports` reports, built the first time (into a temporary
    name, so an interrupted build is never taken for a finished one)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"stats_{reports}.db"
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
        with databases[reports].transaction() as session:
            actors[reports] = actor_for(session.query(User).filter_by(username="bench").one())
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
