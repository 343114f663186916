"""The skyddsbedömning screen, driven by the keyboard alone."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from mottagning.assessment import IMMEDIATE_PROTECTION, NO_IMMEDIATE_NEED
from mottagning.assessment import service as svc
from mottagning.models.assessment import FINISHED
from mottagning.queue.items import get_item
from mottagning.rules.status import Status
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.assessment.question import QuestionWidget
from ui.assessment.screen import AssessmentScreen

# The first answer key for each question as asked in form order; a free-text question
# gets its note typed instead.
KEYS = {
    "ny_handelse": "n", "pagatt_lange": "n", "risk_om_inget_gors": "n", "vald": "n",
    "hot": "n", "overgrepp": "n", "heder": "n", "bevittnat_vald": "n",
    "synliga_skador": "n", "radd_ga_hem": "n", "vardnadshavare_paverkad": "n",
    "vardnadshavare_sjuk": "n", "skyddande_vuxen": "j", "ska_hem_till_oro": "n",
    "andra_barn_finns": "2", "vardnadshavare_skyddar": "1", "natverk": "2",
    "kontakt_riskerar_barnet": "n", "vardnadshavare_vet": "n", "barnet_vet": "n",
    "anmalare_mote": "n",
}

KEY_CODES = {"j": Qt.Key.Key_J, "n": Qt.Key.Key_N, "1": Qt.Key.Key_1, "2": Qt.Key.Key_2}


def _open(qtbot: QtBot, ops, actor, item_id: int, now) -> AssessmentScreen:
    screen = AssessmentScreen(ops, actor, item_id, clock=lambda: now)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT_MS):
        screen.load()
    # widgets added to a shown window become visible on the next pass of the event loop
    qtbot.waitUntil(lambda: screen.panel.isVisible(), timeout=WAIT_MS)
    return screen


def _type(widget, text: str) -> None:
    """Type text key by key (QTest's keyClicks accepts ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def _focused_question(screen: AssessmentScreen) -> QuestionWidget:
    widget = QApplication.focusWidget()
    while widget is not None and not isinstance(widget, QuestionWidget):
        widget = widget.parentWidget()
    assert widget is not None, "no question has the focus"
    return widget


def test_an_assessment_is_completed_by_keyboard_alone(qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    screen.activateWindow()
    for _ in range(len(KEYS) + 2):
        question = _focused_question(screen)
        if question.free_text:
            _type(question.note, "Hos mormor, som är trygg.")
            qtbot.keyClick(question.note, Qt.Key.Key_Tab)
        else:
            assert QApplication.focusWidget() in question.buttons.values()
            qtbot.keyClick(QApplication.focusWidget(), KEY_CODES[KEYS[question.question.id]])
        if not screen._first_open():
            break
    assert screen.panel.outcome_badge.text() == "Inget omedelbart skyddsbehov"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.state is not None and screen.state.status == FINISHED,
                    timeout=WAIT_MS)
    with database.transaction() as session:
        assert get_item(session, item_id).status == Status.PROTECTION_ASSESSED
        state = svc.start_or_resume(session, worker, item_id, now=now)
    assert state.outcome == NO_IMMEDIATE_NEED
    assert state.answers == KEYS | {"andra_barn_finns": "nej", "vardnadshavare_skyddar": "ja",
                                    "natverk": "nej", "skyddande_vuxen": "ja"} | {
        k: "nej" for k, v in KEYS.items() if v == "n"}
    assert state.notes["var_barnet_ar"] == "Hos mormor, som är trygg."
    assert not screen.questions["vald"].buttons["ja"].isEnabled()  # read-only now


def test_a_reopened_draft_returns_to_the_question_and_requires_notes_visibly(
        qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, item_id, now=now)
        svc.save_answer(session, worker, state.id, "ny_handelse", "nej", now=now)
        svc.save_answer(session, worker, state.id, "vald", "vet_ej", now=now)
    screen = _open(qtbot, ops, worker, item_id, now)
    assert _focused_question(screen).question.id == "vald"
    assert screen.questions["vald"].buttons["vet_ej"].isChecked()
    assert "Anteckning krävs" == screen.questions["vald"].note.placeholderText()
    assert "Vet ej på frågan" in screen.panel.rules_label.text()
    assert screen.panel.outcome_badge.text() == "Omedelbart skyddsbehov"
    screen.panel.outcome_buttons[NO_IMMEDIATE_NEED].setChecked(True)
    assert screen.panel.reason.isVisible() and screen.panel.floor_warning.isVisible()
    _type(screen.questions["vald"].note, "Oklart, skolan ringer tillbaka.")
    with qtbot.waitSignal(screen.sig_saved, timeout=WAIT_MS):
        screen.flush_notes()
    with database.transaction() as session:
        saved = svc.start_or_resume(session, worker, item_id, now=now)
    assert saved.notes == {"vald": "Oklart, skolan ringer tillbaka."}


def test_deadline_turns_amber_under_four_hours_and_red_when_overdue(
        qtbot, ops, database, worker, now) -> None:
    soon = register_simple(database, worker, now=now, offset=timedelta(hours=21)).item_ids[0]
    screen = _open(qtbot, ops, worker, soon, now)
    assert screen.deadline_label.property("level") == "soon"
    screen._clock = lambda: now + timedelta(hours=5)
    screen._show_deadline()
    assert screen.deadline_label.property("level") == "overdue"
    assert "försenad" in screen.deadline_label.text()


def test_no_all_clear_is_shown_before_the_questions_are_answered(qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    qtbot.waitUntil(lambda: screen.panel.outcome_badge.text() != "", timeout=WAIT_MS)
    assert screen.panel.outcome_badge.text() == "Preliminärt: inget omedelbart skyddsbehov"


def test_letters_typed_outside_the_answer_buttons_answer_nothing(
        qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    screen.activateWindow()
    first = _focused_question(screen)
    assert QApplication.focusWidget() is first.buttons["ja"]
    # Tab leaves the buttons for the note: typing there is a note, never answers
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert QApplication.focusWidget() is first.buttons["nej"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is first.note
    for key in (Qt.Key.Key_N, Qt.Key.Key_V, Qt.Key.Key_J, Qt.Key.Key_1):
        qtbot.keyClick(first.note, key)
    qtbot.keyClick(first.note, Qt.Key.Key_Tab)
    second = _focused_question(screen)
    assert second is not first and QApplication.focusWidget() is second.buttons["ja"]
    _type(screen.panel.reason, "nvj")
    # keys that reach a question frame or a read-only text (not its buttons) answer nothing
    qtbot.keyClick(second, Qt.Key.Key_N)
    qtbot.keyClick(screen.findChild(QPlainTextEdit, "verbatim"), Qt.Key.Key_V)
    assert {w.answer for w in screen.questions.values()} == {None}
    assert first.note.toPlainText() == "nvj1"
    # on the buttons, N answers and the focus moves on to the next question's buttons
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N)
    assert second.answer == "nej"
    assert _focused_question(screen) is not second


def test_the_outcome_and_finish_are_reachable_with_tab(qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    screen.activateWindow()
    last = [w for w in screen.questions.values() if not w.isHidden()][-1]
    last.note.setFocus()
    reached = []
    for _ in range(2):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached[0] in screen.panel.outcome_buttons.values()
    assert reached[1] is screen.panel.finish_button


def test_akut_fara_preselects_no_lower_outcome(qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now, immediate_danger=True).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    qtbot.waitUntil(lambda: screen.panel.outcome_badge.text() != "", timeout=WAIT_MS)
    assert screen.panel._recommended == NO_IMMEDIATE_NEED  # nothing answered yet
    assert screen.panel.chosen_outcome() is None
    # answering more questions does not preselect it either
    screen.questions["ny_handelse"]._choose("nej")
    assert screen.panel.chosen_outcome() is None
    screen.request_finish()
    # the worker's own choice stays
    screen.panel.outcome_buttons[IMMEDIATE_PROTECTION].click()
    screen.questions["pagatt_lange"]._choose("nej")
    assert screen.panel.chosen_outcome() == IMMEDIATE_PROTECTION


def test_escape_closes_the_assessment_and_keeps_the_draft(qtbot, ops, database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    screen.activateWindow()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N)
    question = _focused_question(screen)
    question.note.setFocus()
    _type(question.note, "Mamma hämtade i dag.")
    qtbot.keyClick(question.note, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not screen.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, item_id, now=now)
    assert state.answers == {"ny_handelse": "nej"}
    assert state.notes == {question.question.id: "Mamma hämtade i dag."}


def test_a_note_typed_without_pause_is_saved_within_two_seconds(
        qtbot, ops, database, worker, now) -> None:
    from PySide6.QtCore import QElapsedTimer

    from ui.assessment.question import NOTE_MAX_WAIT_MS

    item_id = register_simple(database, worker, now=now).item_ids[0]
    screen = _open(qtbot, ops, worker, item_id, now)
    question = screen.questions["ny_handelse"]
    question.note.setFocus()
    saves: list[int] = []
    clock = QElapsedTimer()
    question.sig_note_changed.connect(lambda *_: saves.append(clock.elapsed()))
    clock.start()
    typed = ""
    for char in "Skolan ringde om blåmärken på armen. " * 3:  # a key every 100 ms, no pause
        _type(question.note, char)
        typed += char
        qtbot.wait(100)
        if saves:
            break
    assert saves and saves[0] <= NOTE_MAX_WAIT_MS + 700
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, item_id, now=now)
    # What was typed up to the save is stored (on a loaded machine a 100 ms wait can last
    # longer than the pause that saves, so the save may come after a few letters only).
    assert state.notes["ny_handelse"] and typed.startswith(state.notes["ny_handelse"])
