"""Two importers on two machines against the same inbox share: each submission once.

The inbox lock is an OS lock, which a network share may not pass between machines, so the
importers here run without it, in two processes with their own connections: what keeps
each submission single is the database (source + submission id) and commit-then-move."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mottagning.db.database import Database
from mottagning.intake.importer import Importer
from mottagning.models import Alarm, Report
from tests.core.inbox_factory import fill_inbox
from tests.core.processes import run_together

SUBMISSIONS = 40


def _import(database: Database, inbox: str, now: datetime) -> int:
    summary = Importer(database, Path(inbox), clock=lambda: now).run_once()
    return summary.files_seen


@pytest.mark.postgres
def test_two_importers_on_one_inbox_register_each_submission_once(
    database: Database, tmp_path: Path, now
) -> None:
    inbox = tmp_path / "inkorg"
    ids = fill_inbox(inbox, SUBMISSIONS)
    outcomes = run_together(database.url, _import, [(str(inbox), now), (str(inbox), now)])
    assert [outcome for outcome, _ in outcomes] == ["ok", "ok"], outcomes
    with database.transaction() as session:
        registered = session.execute(
            select(Report.submission_id, func.count()).where(Report.source == "etjanst-test")
            .group_by(Report.submission_id)).all()
        failures = session.execute(select(func.count()).select_from(Alarm).where(
            Alarm.kind.in_(["importer_failure", "conflicting_duplicate"]))).scalar_one()
    assert sorted(sid for sid, _ in registered) == sorted(ids)
    assert all(count == 1 for _, count in registered)
    assert failures == 0
    assert not list(inbox.glob("*.json"))  # every file left the inbox
    quarantine = inbox / "karantan"
    assert not quarantine.exists() or not any(quarantine.iterdir())
