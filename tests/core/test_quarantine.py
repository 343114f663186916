"""A quarantined file is registered by hand or dismissed with a reason; both close the alarm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from mottagning.db import Database
from mottagning.errors import ValidationError
from mottagning.intake.importer import Importer
from mottagning.models import AuditEvent, Report
from mottagning.services.alarms import list_open_alarms
from mottagning.services.context import Actor
from mottagning.services.quarantine import (
    dismiss_quarantined,
    list_quarantined,
    read_quarantined,
    register_quarantined,
)
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


@pytest.mark.parametrize("roles", [["admin"], ["assistant"]])
def test_only_someone_who_may_read_the_case_may_dismiss_a_quarantined_file(
    database: Database, quarantined: int, now, roles: list[str]
) -> None:
    from mottagning.errors import PermissionDenied
    from tests.conftest import make_user

    actor = make_user(database, "sara", roles)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        dismiss_quarantined(session, actor, quarantined, reason="Ser ut som skräp.", now=now)
    with database.transaction() as session:
        assert [a.id for a in list_open_alarms(session)] == [quarantined]
