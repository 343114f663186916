"""Calibration on screen: the skyddsbedömning screen in training mode, the agreement table
and the review meeting, checked against the core's figures."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mottagning.assessment import OUTCOME_LABELS
from mottagning.calibration import results
from mottagning.models import Assessment, AuditEvent, QueueItem, TrainingAnswer, VignetteReference
from mottagning.models.calibration import TRAINING_FINISHED
from tests.conftest import make_user
from tests.core.calibration.helpers import VIGNETTES, answer, open_test_round
from tests.ui.assessment.test_assessment_screen import KEY_CODES, KEYS, _focused_question, _type
from tests.ui.conftest import WAIT_MS
from ui.assessment.screen import AssessmentScreen
from ui.assessment.sources import TrainingSource
from ui.calibration.format import interval, number, share
from ui.calibration.review_view import ReferenceDialog


def _save_through_the_dialog(qtbot: QtBot, review, *, cancel: bool = False,  # type: ignore[no-untyped-def]
                             outcome: str = "", why: str = "") -> None:
    """Press "Spara som referenssvar", then in the dialog choose the outcome by its label,
    type why and press Spara (or Avbryt), as a senior would."""
    seen: dict[str, object] = {}

    def in_dialog() -> None:
        shown = [d for d in review.findChildren(ReferenceDialog) if d.isVisible()]
        if not shown:  # exec() has not shown it yet
            QTimer.singleShot(10, in_dialog)
            return
        try:
            act(shown[0])
        except Exception as exc:  # noqa: BLE001 - reported after exec() returns
            seen["error"] = exc
            shown[0].reject()

    def act(dialog: ReferenceDialog) -> None:
        seen["title"] = dialog.windowTitle()
        buttons = dialog.findChild(QDialogButtonBox)
        if cancel:
            qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Cancel),
                             Qt.MouseButton.LeftButton)
            return
        radio = next(b for b in dialog.findChildren(QRadioButton) if b.text() == outcome)
        # on its round indicator (the button is as wide as the dialog, its label is not)
        qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(6, radio.height() // 2))
        dialog.why.setFocus()
        dialog.why.selectAll()
        _type(dialog.why, why)
        seen["chosen"] = dialog.outcome()
        qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save),
                         Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, in_dialog)
    qtbot.mouseClick(review.save_button, Qt.MouseButton.LeftButton)
    assert "error" not in seen, seen
    assert seen["title"] == "Spara som referenssvar"
    if not cancel:
        assert seen["chosen"] == next(k for k, v in OUTCOME_LABELS.items() if v == outcome)


def _counts(database) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return tuple(session.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (QueueItem, Assessment, AuditEvent))


def test_the_training_screen_is_marked_and_answering_by_keyboard_creates_no_case(
    qtbot: QtBot, ops, database, worker, senior, now,
) -> None:
    round_id = open_test_round(database, senior, now)
    before = _counts(database)
    screen = AssessmentScreen(ops, worker, None, clock=lambda: now,
                              source=TrainingSource(worker, round_id, VIGNETTES[1]))
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT_MS):
        screen.load()
    qtbot.waitUntil(lambda: screen.panel.isVisible(), timeout=WAIT_MS)
    banner = screen.findChild(QLabel, "trainingBanner")
    assert banner is not None and banner.isVisible()
    assert banner.text() == "ÖVNING – inget riktigt ärende"
    assert screen.windowTitle().startswith("ÖVNING")
    assert screen.item_id is None
    assert screen.panel.finish_button.text() == "Slutför övningen (Ctrl+Enter)"
    assert "frånvarande 40 procent" in screen.findChild(QPlainTextEdit, "verbatim").toPlainText()
    screen.activateWindow()
    for _ in range(len(KEYS) + 2):
        question = _focused_question(screen)
        if question.free_text:
            _type(question.note, "I skolan.")
            qtbot.keyClick(question.note, Qt.Key.Key_Tab)
        else:
            qtbot.keyClick(QApplication.focusWidget(), KEY_CODES[KEYS[question.question.id]])
        if not screen._first_open():
            break
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.state is not None and screen.state.read_only, timeout=WAIT_MS)
    assert not screen.panel.checklist_box.isVisible()
    assert not screen.panel.pdf_button.isVisible()
    assert _counts(database) == before
    with database.transaction() as session:
        row = session.execute(select(TrainingAnswer)).scalar_one()
    assert row.status == TRAINING_FINISHED
    assert row.outcome == "no_immediate_need"
    assert row.notes["var_barnet_ar"] == "I skolan."


def test_the_page_shows_agreement_most_disputed_first_as_the_core_computes_it(
    qtbot: QtBot, make_window, database, senior, now,
) -> None:
    workers = [make_user(database, name, ["worker"]) for name in ("anna", "erik", "lina")]
    round_id = open_test_round(database, senior, now)
    for worker, radd in zip(workers, ("nej", "ja", "ja"), strict=True):
        answer(database, worker, round_id, "v09_vill_inte_ga_hem", now,
               {"radd_ga_hem": radd, "ska_hem_till_oro": "ja"})
        answer(database, worker, round_id, "v10_skolfranvaro", now)
        answer(database, worker, round_id, "v11_hungrig_pa_mandagar", now,
               {"natverk": "vet_ej" if worker is workers[2] else "ja"})
    window = make_window(senior, extensions=("ui.calibration",))
    page = window.extensions["ui.calibration"]
    window.pages.setCurrentWidget(page)
    table = page.results_view.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=WAIT_MS * 3)
    with database.transaction() as session:
        expected = results.round_results(session, senior, round_id)
    assert table.rowCount() == len(expected.questions)
    for row, question in enumerate(expected.questions):
        figures = question.figures
        assert [table.item(row, c).text() for c in range(1, 6)] == [
            number(figures.alpha), interval(figures.alpha_ci), share(figures.agreement),
            share(question.reference_agreement), str(figures.n_raters)]
    assert table.item(0, 0).text() == expected.questions[0].text
    assert "rädd för att gå hem" in table.item(0, 0).text()

    review = page.review_view
    page.tabs.setCurrentWidget(review)
    page.show_review("v09_vill_inte_ga_hem")
    qtbot.waitUntil(lambda: review.review is not None
                    and review.review.vignette.id == "v09_vill_inte_ga_hem", timeout=WAIT_MS)
    headers = [review.table.horizontalHeaderItem(c).text() for c in range(review.table.columnCount())]
    assert headers[1:4] == ["Deltagare 1", "Deltagare 2", "Deltagare 3"]
    assert "Vill inte gå hem" in review.heading.text()
    assert "rekommenderat omedelbart skyddsbehov" in review.turns.toPlainText()
    for worker in workers:
        assert worker.full_name not in review.turns.toPlainText()

    box = review._reference_boxes["radd_ga_hem"]
    box.setCurrentIndex(box.findData("ja"))
    _save_through_the_dialog(qtbot, review, cancel=True)  # cancelling saves nothing
    assert review.review.latest.version == 1
    _save_through_the_dialog(qtbot, review, outcome="Omedelbart skyddsbehov",
                             why="Han säger att han är rädd.")
    qtbot.waitUntil(lambda: review.review.latest.version == 2, timeout=WAIT_MS)
    # The round is still judged against version 1; the new reference is shown beside it.
    assert review.review.vignette.version == 1
    assert review.review.latest.reference.answers["radd_ga_hem"] == "ja"
    assert review._reference_boxes["radd_ga_hem"].currentData() == "ja"
    headers = [review.table.horizontalHeaderItem(c).text() for c in range(review.table.columnCount())]
    assert headers[-2:] == ["Omgångens referens (version 1)", "Ny referens (version 2)"]
    assert "version 2 är nyare" in review.heading.text()
    # The column the senior edits stays in view on a 1280×720 screen, with two references.
    header, last = review.table.horizontalHeader(), review.table.columnCount() - 1
    qtbot.waitUntil(lambda: header.sectionViewportPosition(last) + header.sectionSize(last)
                    <= review.table.viewport().width(), timeout=WAIT_MS)
    assert "Nytt referenssvar (version 2): Han säger att han är rädd." in review.turns.toPlainText()
    with database.transaction() as session:
        saved = session.execute(select(VignetteReference)).scalar_one()
    assert (saved.vignette_id, saved.version, saved.outcome, saved.note) == (
        "v09_vill_inte_ga_hem", 2, "immediate_protection", "Han säger att han är rädd.")
    assert saved.answers["radd_ga_hem"] == "ja"
