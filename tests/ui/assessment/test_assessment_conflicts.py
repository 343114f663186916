"""No lost update on the skyddsbedömning screen: an answer or note that another desk
changed meanwhile opens the conflict view, and the worker's text waits as a draft."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from mottagning.assessment import service as svc
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple
from tests.ui.assessment.test_assessment_screen import _open, _type
from tests.ui.conftest import WAIT_MS

NOTE_QUESTION = "var_barnet_ar"


def _other_desk(database, actor, item_id, now, *, answer=None, note=None) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        state = svc.start_or_resume(session, actor, item_id, now=now)
        if answer is not None:
            svc.save_answer(session, actor, state.id, "vald", answer,
                            expected_version=state.answer_versions.get("vald", 0), now=now)
        if note is not None:
            svc.save_note(session, actor, state.id, NOTE_QUESTION, note,
                          expected_version=state.note_versions.get(NOTE_QUESTION, 0), now=now)


def _saved(database, actor, item_id, now) -> svc.AssessmentState:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return svc.start_or_resume(session, actor, item_id, now=now)


def _drafts(database, actor, assessment_id) -> list[svc.ConflictDraft]:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return svc.conflict_drafts(session, actor, assessment_id)


def test_a_note_changed_at_another_desk_opens_the_conflict_view_and_a_merge_is_saved(
        qtbot: QtBot, ops, database, worker, now) -> None:
    colleague = make_user(database, "erik", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    _other_desk(database, colleague, item_id, now, note="Hos mormor sedan i går.")
    note = screen.questions[NOTE_QUESTION].note
    _type(note, "I skolan med sin mentor.")
    screen.flush_notes()
    qtbot.waitUntil(lambda: (svc.NOTE, NOTE_QUESTION) in screen.conflicts, timeout=WAIT_MS)
    conflict = screen.conflicts[(svc.NOTE, NOTE_QUESTION)]
    dialog = conflict.dialog
    assert dialog.isVisible()
    assert dialog.mine.toPlainText() == "I skolan med sin mentor."
    assert dialog.theirs.toPlainText() == "Hos mormor sedan i går."
    assert "Erik Testsson" in dialog.findChild(QLabel, "conflictTheirsTitle").text()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    state = _saved(database, worker, item_id, now)
    assert state.notes[NOTE_QUESTION] == "Hos mormor sedan i går."  # nothing overwritten
    assert _drafts(database, worker, state.id) == [
        svc.ConflictDraft(svc.NOTE, NOTE_QUESTION, "I skolan med sin mentor.")]
    merged = "I skolan med sin mentor. Hos mormor sedan i går."
    dialog.mine.setPlainText(merged)
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: ops.idle and not screen._pending, timeout=WAIT_MS)
    state = _saved(database, worker, item_id, now)
    assert state.notes[NOTE_QUESTION] == merged
    assert note.toPlainText() == merged
    assert _drafts(database, worker, state.id) == []
    assert not screen.conflicts


def test_an_answer_changed_at_another_desk_can_be_taken_over(
        qtbot: QtBot, ops, database, worker, now) -> None:
    colleague = make_user(database, "erik", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    _other_desk(database, colleague, item_id, now, answer="ja")
    screen.questions["vald"].buttons["nej"].click()
    qtbot.waitUntil(lambda: (svc.ANSWER, "vald") in screen.conflicts, timeout=WAIT_MS)
    dialog = screen.conflicts[(svc.ANSWER, "vald")].dialog
    assert (dialog.mine.toPlainText(), dialog.theirs.toPlainText()) == ("Nej", "Ja")
    assert dialog.mine.isReadOnly()
    dialog.use_button.click()
    qtbot.waitUntil(lambda: ops.idle and not screen.conflicts, timeout=WAIT_MS)
    assert screen.questions["vald"].buttons["ja"].isChecked()
    state = _saved(database, worker, item_id, now)
    assert state.answers["vald"] == "ja" and _drafts(database, worker, state.id) == []
    # the screen now knows the newer version: the worker's next answer is saved
    screen.questions["vald"].buttons["vet_ej"].click()
    qtbot.waitUntil(lambda: ops.idle and not screen._pending, timeout=WAIT_MS)
    assert _saved(database, worker, item_id, now).answers["vald"] == "vet_ej"
    assert not screen.conflicts


def test_a_refused_note_left_unchosen_is_offered_again_when_the_assessment_reopens(
        qtbot: QtBot, ops, database, worker, now) -> None:
    colleague = make_user(database, "erik", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    _other_desk(database, colleague, item_id, now, note="Hos mormor.")
    _type(screen.questions[NOTE_QUESTION].note, "I skolan.")
    screen.flush_notes()
    qtbot.waitUntil(lambda: (svc.NOTE, NOTE_QUESTION) in screen.conflicts, timeout=WAIT_MS)
    screen.conflicts[(svc.NOTE, NOTE_QUESTION)].dialog.cancel_button.click()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    screen.close()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    reopened = _open(qtbot, ops, worker, item_id, now)
    qtbot.waitUntil(lambda: (svc.NOTE, NOTE_QUESTION) in reopened.conflicts, timeout=WAIT_MS)
    dialog = reopened.conflicts[(svc.NOTE, NOTE_QUESTION)].dialog
    assert (dialog.mine.toPlainText(), dialog.theirs.toPlainText()) == ("I skolan.", "Hos mormor.")
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: ops.idle and not reopened._pending and not reopened.conflicts,
                    timeout=WAIT_MS)
    state = _saved(database, worker, item_id, now)
    assert state.notes[NOTE_QUESTION] == "I skolan."
    assert _drafts(database, worker, state.id) == []


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_note_typed_while_the_server_is_gone_is_saved_once_it_is_back(
        qtbot: QtBot, database, worker, make_window, pg_server, now) -> None:
    from ui.assessment.screen import open_assessment

    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = make_window(worker)
    screen = open_assessment(window, window.ops, worker, item_id, clock=lambda: now)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.state is not None and bool(screen.questions), timeout=WAIT_MS)
    pg_server.stop_fast()
    try:
        _type(screen.questions[NOTE_QUESTION].note, "I skolan med sin mentor.")
        screen.flush_notes()
        qtbot.waitUntil(lambda: "Ingen kontakt" in screen.save_label.text(), timeout=10_000)
        assert window.ops.errors.box is None  # the banner says it; no error dialog
    finally:
        pg_server.start_again()
    qtbot.waitUntil(lambda: screen.save_label.text().startswith("Allt sparat"), timeout=20_000)
    state = _saved(database, worker, item_id, now)
    assert state.notes[NOTE_QUESTION] == "I skolan med sin mentor."
    assert state.note_versions[NOTE_QUESTION] == 1  # saved once, no conflict with itself
    assert not screen.conflicts
    screen.close()
