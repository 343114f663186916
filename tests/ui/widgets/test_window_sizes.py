"""Every window and dialog fits a 1280×720 screen with its main action in view, and
remembers its size and place (clamped to the screen it opens on).

The GUI tests run on an offscreen screen of 1280×720 (tests/data/screen-1280x720.json).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from mottagning.queue.listing import list_queue
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.access.signin_dialog import SignInDialog
from ui.assessment.screen import AssessmentScreen
from ui.decisions.extension_dialog import ExtensionDialog
from ui.decisions.proposal_dialog import ProposalDialog
from ui.decisions.signoff_dialogs import ReturnDialog, SignatureDialog
from ui.intake.alarms_dialog import AlarmsDialog
from ui.intake.register_dialog import RegisterDialog
from ui.letters.dialog import LetterDialog
from ui.letters.profile_form import ProfileForm
from ui.letters.template_editor import TemplateEditor
from ui.main_window import EXTENSIONS
from ui.widgets.window_geometry import clamp_to, fit_window, window_settings


def _screen() -> QRect:
    return QGuiApplication.primaryScreen().availableGeometry()


def assert_fits_with(window: QWidget, *actions: QWidget) -> None:
    """The window (its frame too) is on the screen; each action is wholly in view."""
    screen = _screen()
    assert screen.size() == QSize(1280, 720)
    assert screen.contains(window.frameGeometry()), (window.frameGeometry(), screen)
    for action in actions:
        assert action.isVisible(), action
        # not scrolled away, not cut off by a window larger than the screen
        assert action.visibleRegion().boundingRect() == action.rect(), action
        on_screen = QRect(action.mapToGlobal(QPoint(0, 0)), action.size())
        assert screen.contains(on_screen), (action, on_screen)


def _show(qtbot: QtBot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _button(dialog: QWidget, which: QDialogButtonBox.StandardButton) -> QAbstractButton:
    return dialog.findChild(QDialogButtonBox).button(which)


def test_main_window_fits_1280x720(database, worker, senior, make_window, qtbot) -> None:
    for hours in range(1, 30):
        register_simple(database, worker, now=_now(), offset=_hours(hours))
    window = make_window(worker, extensions=EXTENSIONS)
    qtbot.waitExposed(window)
    toolbar = window.findChild(QWidget, "mainToolbar")
    new_report = toolbar.widgetForAction(window.new_report_action)
    assert_fits_with(window, new_report, window.table, window.statusBar())
    assert window.detail.isVisible() and window.detail.width() >= 380


def test_assessment_screen_fits_1280x720_with_recommendation_and_finish(
        database, worker, ops, qtbot) -> None:
    item_id = register_simple(database, worker, now=_now()).item_ids[0]
    screen = AssessmentScreen(ops, worker, item_id, clock=_now)
    _show(qtbot, screen)
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT_MS):
        screen.load()
    qtbot.waitUntil(lambda: screen.panel.isVisible(), timeout=WAIT_MS)
    assert_fits_with(screen, screen.panel.outcome_badge, screen.panel.finish_button)


def test_register_dialog_fits_1280x720_with_registrera(database, worker, ops, qtbot) -> None:
    dialog = _show(qtbot, RegisterDialog(ops, worker))
    qtbot.waitUntil(lambda: dialog.is_ready, timeout=WAIT_MS)
    assert_fits_with(dialog, dialog.register_button)


def test_decision_dialogs_fit_1280x720(database, worker, ops, qtbot) -> None:
    item_id = register_simple(database, worker, now=_now()).item_ids[0]
    with database.transaction() as session:
        row = list_queue(session, worker, now=_now()).rows[0]
    proposal = _show(qtbot, ProposalDialog(ops, worker, item_id, child_name="Ella Andersson",
                                           violence=True))
    assert_fits_with(proposal, _button(proposal, QDialogButtonBox.StandardButton.Ok))
    extension = _show(qtbot, ExtensionDialog(ops, worker, row))
    assert_fits_with(extension, _button(extension, QDialogButtonBox.StandardButton.Ok))
    signature = _show(qtbot, SignatureDialog(method="phrase", phrase="Jag signerar",
                                             summary="Inleda utredning. " * 40))
    assert_fits_with(signature, _button(signature, QDialogButtonBox.StandardButton.Ok))
    returned = _show(qtbot, ReturnDialog())
    assert_fits_with(returned, _button(returned, QDialogButtonBox.StandardButton.Ok))


def test_letter_and_admin_dialogs_fit_1280x720(database, worker, admin, ops, qtbot) -> None:
    item_id = register_simple(database, worker, now=_now()).item_ids[0]
    letter = _show(qtbot, LetterDialog(ops, worker, item_id))
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert_fits_with(letter, letter.print_button)
    editor = _show(qtbot, TemplateEditor(ops, admin))
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert_fits_with(editor, editor.save_button)
    profile = _show(qtbot, ProfileForm(ops, admin))
    assert_fits_with(profile, _button(profile, QDialogButtonBox.StandardButton.Save))
    alarms = _show(qtbot, AlarmsDialog(ops, admin))
    assert_fits_with(alarms, _button(alarms, QDialogButtonBox.StandardButton.Close))
    sign_in = _show(qtbot, SignInDialog(ops))
    assert_fits_with(sign_in, _button(sign_in, QDialogButtonBox.StandardButton.Cancel))


def test_a_window_remembers_its_size_and_place(qtbot) -> None:
    first = QWidget()
    fit_window(first, "probe", QSize(600, 400))
    _show(qtbot, first)
    first.setGeometry(100, 120, 700, 450)
    first.close()
    assert window_settings().value("windows/probe") == QRect(100, 120, 700, 450)
    second = QWidget()
    fit_window(second, "probe", QSize(600, 400))
    assert second.geometry() == QRect(100, 120, 700, 450)


def test_a_remembered_place_off_this_screen_is_clamped_to_it(qtbot) -> None:
    # left on a large second monitor that is gone now
    window_settings().setValue("windows/probe", QRect(2200, 900, 1800, 1100))
    widget = QWidget()
    fit_window(widget, "probe", QSize(600, 400))
    _show(qtbot, widget)
    assert _screen().contains(widget.frameGeometry())
    assert widget.width() >= 1200 and widget.height() >= 640


def test_clamp_to_shrinks_then_moves_in() -> None:
    screen = QRect(0, 0, 1280, 720)
    assert screen.contains(clamp_to(screen, QRect(-300, -50, 1500, 900)))
    small = clamp_to(screen, QRect(100, 100, 400, 300))
    assert small == QRect(100, 100, 400, 300)


def _now():  # the suite's fixed clock
    from tests.conftest import FIXED_NOW

    return FIXED_NOW


def _hours(n: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(hours=n)


__all__ = ["QApplication"]


def test_finish_stays_in_view_when_many_red_flags_fire(database, worker, ops, qtbot) -> None:
    from mottagning.assessment import service as svc
    from mottagning.assessment import visible_questions
    from mottagning.assessment.form import FREE_TEXT

    item_id = register_simple(database, worker, now=_now()).item_ids[0]
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, item_id, now=_now())
        for question in visible_questions(state.form, {}):
            if question.kind == FREE_TEXT:
                continue
            svc.save_answer(session, worker, state.id, question.id, "vet_ej", now=_now())
    screen = AssessmentScreen(ops, worker, item_id, clock=_now)
    _show(qtbot, screen)
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT_MS):
        screen.load()
    qtbot.waitUntil(lambda: screen.panel.isVisible(), timeout=WAIT_MS)
    assert screen.panel.rules_label.text().count("•") >= 8
    assert_fits_with(screen, screen.panel.outcome_badge, screen.panel.finish_button)


def test_quarantine_dialog_fits_1280x720(database, senior, ops, qtbot, tmp_path) -> None:
    from mottagning.intake.alarms import list_open_alarms
    from mottagning.intake.importer import Importer
    from ui.intake.quarantine_dialog import QuarantineDialog

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "felsida.json").write_text("<html>502 Bad Gateway</html>\n" * 200, encoding="utf-8")
    Importer(database, inbox).run_once()
    with database.transaction() as session:
        alarm_id = list_open_alarms(session)[0].id
    dialog = _show(qtbot, QuarantineDialog(ops, senior, alarm_id))
    qtbot.waitUntil(lambda: dialog.shown is not None, timeout=WAIT_MS)
    assert_fits_with(dialog, dialog.register_button, dialog.dismiss_button)


def test_correction_and_recovery_key_dialogs_fit_1280x720(database, worker, ops, qtbot,
                                                          tmp_path) -> None:
    from ui.access.key_prompts import RecoveryKeyDialog

    item_id = register_simple(database, worker, now=_now()).item_ids[0]
    correction = _show(qtbot, ProposalDialog(ops, worker, item_id, child_name="Ella Andersson",
                                             violence=True, corrects_id=1))
    assert_fits_with(correction, _button(correction, QDialogButtonBox.StandardButton.Ok))
    recovery = _show(qtbot, RecoveryKeyDialog(
        tmp_path / "mottagning.db.database", "ABCD-" * 12 + "ABCD",
        "Skriv ut återställningsnyckeln och lås in den. " * 12))
    accept = recovery.findChild(QDialogButtonBox).buttons()[0]
    assert_fits_with(recovery, accept)
