"""A quarantined file is registered by hand or dismissed with a reason; both close the alarm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import ValidationError
from mottagning.intake.alarms import list_open_alarms
from mottagning.intake.importer import Importer
from mottagning.intake.quarantine import (
    dismiss_quarantined,
    list_quarantined,
    read_quarantined,
    register_quarantined,
)
from mottagning.models import AuditEvent, Report
from tests.core.factories import simple_report


@pytest.fixture
def quarantined(database: Database, tmp_path: Path, samples_dir: Path, now) -> int:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples_dir / "0006-inte-json.json", inbox)
    Importer(database, inbox, clock=lambda: now).run_once()
    assert (inbox / "karantan" / "0006-inte-json.json").exists()
    with database.transaction() as session:
        return list_open_alarms(session)[0].id


def test_quarantine_screen_shows_the_raw_file_and_the_error(
    database: Database, worker: Actor, quarantined: int, now
) -> None:
    with database.transaction() as session:
        shown = read_quarantined(session, worker, quarantined, now=now)
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "502 Bad Gateway" in shown.raw_text
    assert "JSON" in shown.detail
    assert "quarantine_read" in actions


def test_registering_a_quarantined_file_by_hand_closes_its_alarm(
    database: Database, worker: Actor, quarantined: int, now
) -> None:
    with database.transaction() as session:
        result = register_quarantined(session, worker, quarantined, simple_report(received_at=now), now=now)
    with database.transaction() as session:
        assert list_quarantined(session, worker) == []
        assert session.get(Report, result.report_id) is not None


def test_dismissing_needs_a_reason_and_closes_the_alarm(
    database: Database, worker: Actor, quarantined: int, now
) -> None:
    with database.transaction() as session, pytest.raises(ValidationError):
        dismiss_quarantined(session, worker, quarantined, reason="  ", now=now)
    with database.transaction() as session:
        dismiss_quarantined(session, worker, quarantined, reason="Felsida från e-tjänstens server.", now=now)
    with database.transaction() as session:
        assert list_open_alarms(session) == []
        with pytest.raises(ValidationError, match="redan hanterad"):
            dismiss_quarantined(session, worker, quarantined, reason="igen", now=now)


def test_a_handled_file_is_still_shown_with_who_handled_it_when_and_why(
    database: Database, worker: Actor, tmp_path: Path, now
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "felsida.json").write_text("<html>502 Bad Gateway</html>", encoding="utf-8")
    Importer(database, inbox, clock=lambda: now).run_once()
    with database.transaction() as session:
        alarm_id = list_open_alarms(session)[0].id
        assert read_quarantined(session, worker, alarm_id, now=now).handled_at is None
        dismiss_quarantined(session, worker, alarm_id, reason="Felsida från servern.", now=now)
    with database.transaction() as session:
        shown = read_quarantined(session, worker, alarm_id, now=now)
        reads = session.execute(select(AuditEvent).where(AuditEvent.action == "quarantine_read")).all()
    assert (shown.handled_at, shown.handled_by) == (now, worker.full_name)
    assert "Felsida från servern." in shown.handled_reason
    assert "502 Bad Gateway" in shown.raw_text
    assert len(reads) == 2  # reading a handled file is audited like any other
