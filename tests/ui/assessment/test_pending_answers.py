"""Answers given while the server is gone survive closing the screen (or a crash): they
wait on this computer and are saved, once, when the assessment is opened again."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mottagning.assessment import pending
from mottagning.assessment import service as svc
from mottagning.models import AuditEvent, Draft
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple
from tests.ui.assessment.test_assessment_conflicts import NOTE_QUESTION, _other_desk, _saved
from tests.ui.assessment.test_assessment_conflicts import _drafts as _conflict_drafts
from tests.ui.assessment.test_assessment_screen import _open, _type
from tests.ui.conftest import WAIT_MS


@pytest.fixture
def folder(local_drafts_in_a_temp_folder: Path) -> Path:
    return local_drafts_in_a_temp_folder


def _drafts(database) -> int:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(Draft)).scalar_one()


def _answered(database, assessment_id: int) -> int:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "assessment_answered",
            AuditEvent.entity_id == assessment_id)).scalar_one()


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_an_answer_given_while_the_server_is_gone_survives_closing_and_is_saved_once(
        qtbot: QtBot, database, worker, make_window, pg_server, folder: Path, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = make_window(worker)
    screen = _open(qtbot, window.ops, worker, item_id, now)
    pg_server.stop_fast()
    try:
        screen.questions["vald"].buttons["ja"].click()
        _type(screen.questions[NOTE_QUESTION].note, "I skolan.")
        screen.flush_notes()
        qtbot.waitUntil(lambda: len(screen._unsaved) == 2, timeout=10_000)
        (kept,) = folder.glob("*.utkast")
        assert b"skolan" not in kept.read_bytes()  # encrypted on this computer
        assert window.ops.errors.box is None  # the banner says it; no error dialog
        screen.close()  # like a crash: nothing is sent again from this screen
    finally:
        pg_server.start_again()
    qtbot.waitUntil(lambda: not window.connection_banner.isVisible(), timeout=10_000)
    assert list(folder.glob("*.utkast"))

    reopened = _open(qtbot, window.ops, worker, item_id, now)
    qtbot.waitUntil(lambda: not list(folder.glob("*.utkast")), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.ops.idle and not reopened._pending, timeout=WAIT_MS)
    state = _saved(database, worker, item_id, now)
    assert state.answers["vald"] == "ja"
    assert state.notes[NOTE_QUESTION] == "I skolan."
    assert (state.answer_versions["vald"], state.note_versions[NOTE_QUESTION]) == (1, 1)
    assert reopened.questions["vald"].buttons["ja"].isChecked()
    assert reopened.save_label.text().startswith("Allt sparat")
    assert _drafts(database) == 0
    reopened.close()

    # opened once more: nothing is waiting, nothing is saved again
    again = _open(qtbot, window.ops, worker, item_id, now)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    assert _answered(database, state.id) == 1
    again.close()


def _left_after_a_crash(database, worker, item_id: int, now, *, answer: str) -> int:  # type: ignore[no-untyped-def]
    """The program died while an answer based on version 0 waited on this computer."""
    with database.transaction() as session:
        assessment_id = svc.start_or_resume(session, worker, item_id, now=now).id
    pending.keep_locally(database.display_name(), worker, item_id=item_id,
                         assessment_id=assessment_id,
                         values=[pending.PendingValue(svc.ANSWER, "vald", answer, 0)])
    return assessment_id


def test_at_start_up_the_waiting_answers_are_offered_and_opening_them_saves_them(
        qtbot: QtBot, database, worker, make_window, folder: Path, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    _left_after_a_crash(database, worker, item_id, now, answer="ja")
    window = make_window(worker)
    bar = window.unsaved_drafts
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert not list(folder.glob("*.utkast"))  # moved into the user's drafts
    assert f"inte hann sparas när databasen försvann, ärende {item_id}" in bar.label.text()
    (button,) = bar.open_buttons
    button.click()
    screen = window.detail.assessment_window
    qtbot.waitUntil(lambda: screen.state is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.ops.idle and _drafts(database) == 0, timeout=WAIT_MS)
    state = _saved(database, worker, item_id, now)
    assert (state.answers["vald"], state.answer_versions["vald"]) == ("ja", 1)
    screen.close()


def test_a_waiting_answer_that_meets_a_newer_one_opens_the_conflict_view(
        qtbot: QtBot, database, worker, ops, folder: Path, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    assessment_id = _left_after_a_crash(database, worker, item_id, now, answer="ja")
    _other_desk(database, make_user(database, "erik", [Role.WORKER]), item_id, now, answer="nej")
    screen = _open(qtbot, ops, worker, item_id, now)
    qtbot.waitUntil(lambda: (svc.ANSWER, "vald") in screen.conflicts, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.idle and not list(folder.glob("*.utkast")), timeout=WAIT_MS)
    assert _saved(database, worker, item_id, now).answers["vald"] == "nej"  # not overwritten
    assert [d.value for d in _conflict_drafts(database, worker, assessment_id)] == ["ja"]
    screen.close()
