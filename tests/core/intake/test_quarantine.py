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
@pytest.mark.parametrize("roles", [["admin"], ["assistant"]])
def test_only_someone_who_may_read_the_case_may_dismiss_a_quarantined_file(
    database: Database, tmp_path: Path, now, roles: list[str]
) -> None:
    from mottagning.errors import PermissionDenied
    from tests.conftest import make_user

    quarantined = _quarantine_written(database, tmp_path, now, "<html>502 Bad Gateway</html>", now)
    actor = make_user(database, "sara", roles)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        dismiss_quarantined(session, actor, quarantined, reason="Ser ut som skräp.", now=now)
    with database.transaction() as session:
        assert [a.id for a in list_open_alarms(session)] == [quarantined]


def _quarantine_written(database: Database, tmp_path: Path, now, content: str, arrived) -> int:
    import os

    inbox = tmp_path / "inbox-arrival"
    inbox.mkdir()
    path = inbox / "trasig.json"
    path.write_text(content, encoding="utf-8")
    os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    Importer(database, inbox, clock=lambda: now).run_once()
    with database.transaction() as session:
        return list_open_alarms(session)[0].id


def test_a_report_registered_from_quarantine_keeps_the_files_arrival_as_receipt(
    database: Database, worker: Actor, tmp_path: Path, now
) -> None:
    from datetime import timedelta

    from mottagning.models import QueueItem, ReportCorrection
    from mottagning.rules import deadlines

    arrived = now - timedelta(hours=5, seconds=17)
    alarm_id = _quarantine_written(database, tmp_path, now, "<html>502 Bad Gateway</html>", arrived)
    registering = now + timedelta(hours=3)
    with database.transaction() as session:
        assert read_quarantined(session, worker, alarm_id, now=registering).receipt == arrived
    # The registration time is not the receipt: a different time needs a reason.
    with database.transaction() as session, pytest.raises(ValidationError, match="kom in"):
        register_quarantined(session, worker, alarm_id, simple_report(received_at=registering),
                             now=registering)
    # The form shows the arrival to the minute; the exact recorded moment is kept.
    shown = arrived.replace(second=0, microsecond=0)
    with database.transaction() as session:
        result = register_quarantined(session, worker, alarm_id, simple_report(received_at=shown),
                                      now=registering)
    with database.transaction() as session:
        item = session.get(QueueItem, result.item_ids[0])
        assert item.received_at == arrived
        assert item.protection_due == deadlines.protection_due(arrived)
        assert session.execute(select(ReportCorrection)).first() is None


def test_another_receipt_time_from_quarantine_is_kept_with_its_reason(
    database: Database, worker: Actor, tmp_path: Path, now
) -> None:
    import json
    from datetime import timedelta

    from mottagning.models import ReportCorrection

    submitted = now - timedelta(days=2)
    document = {"format": "okänt/9", "submitted_at": submitted.isoformat(),
                "concern": {"description": "Oro för barnet."}}
    alarm_id = _quarantine_written(database, tmp_path, now, json.dumps(document),
                                   now - timedelta(hours=1))
    with database.transaction() as session:
        # A readable, earlier submitted_at counts, as on a normal import.
        assert read_quarantined(session, worker, alarm_id, now=now).receipt == submitted
    telephoned = now - timedelta(days=3)
    with database.transaction() as session:
        result = register_quarantined(
            session, worker, alarm_id, simple_report(received_at=telephoned),
            receipt_reason="Anmälaren ringde redan i måndags.", now=now)
    with database.transaction() as session:
        [correction] = session.execute(select(ReportCorrection)).scalars().all()
        assert correction.report_id == result.report_id and correction.field == "received_at"
        assert correction.reason == "Anmälaren ringde redan i måndags."
        assert session.get(Report, result.report_id).received_at == telephoned
        actions = session.execute(select(AuditEvent.action)).scalars().all()
        assert "receipt_time_corrected" in actions
