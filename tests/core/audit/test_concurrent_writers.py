"""Ten writer processes on one server: the audit chain never forks, every write is there.

Each process registers reports for `WRITERS_SECONDS` (10 s by default so the suite stays
quick; MOTTAGNING_WRITERS_SECONDS=30 runs the issue's full 30 s)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mottagning.audit.chain import verify_chain
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput
from mottagning.models import AuditEvent, Report
from tests.conftest import FIXED_NOW
from tests.core.factories import register_simple
from tests.core.processes import run_together

WRITERS = 10
WRITERS_SECONDS = float(os.environ.get("MOTTAGNING_WRITERS_SECONDS") or 10)


def _write_for_a_while(database: Database, actor: Actor, writer: int, seconds: float) -> list[int]:
    report_ids = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        n = len(report_ids)
        child = ChildInput(name=f"Barn Skrivare{writer} Nummer{n}", personnummer=None)
        result = register_simple(database, actor, now=FIXED_NOW,
                                 offset=timedelta(minutes=n % 600), children=(child,))
        report_ids.append(result.report_id)
    return report_ids


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_ten_concurrent_writers_keep_the_audit_chain_whole_and_every_write(
    database: Database, worker: Actor
) -> None:
    with database.transaction() as session:
        events_before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    outcomes = run_together(database.url, _write_for_a_while,
                            [(worker, n, WRITERS_SECONDS) for n in range(WRITERS)])
    assert all(outcome == "ok" for outcome, _ in outcomes), outcomes
    written = [report_id for _, ids in outcomes for report_id in ids]
    assert all(ids for _, ids in outcomes), "every writer got its turn"
    with database.transaction() as session:
        stored = set(session.execute(select(Report.id)).scalars())
        registered_events = session.execute(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "report_registered")).scalar_one()
        chain = verify_chain(session)
        events_after = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert set(written) <= stored and len(written) == len(set(written))
    assert registered_events == len(written)
    assert chain.ok, chain
    assert chain.events_checked == events_after > events_before
