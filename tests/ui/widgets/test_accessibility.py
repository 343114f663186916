"""Every input and button has an accessible name; radio buttons, check boxes and combo
boxes show where the keyboard focus is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QRadioButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from mottagning.queue.listing import list_queue
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.access.key_prompts import RecoveryKeyDialog
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
from ui.widgets.accessibility import INPUTS, install_focus_frames


def unnamed(window: QWidget) -> list[str]:
    """The visible inputs and buttons of `window` without an accessible name (Qt's own
    inner parts, named qt_*, are Qt's business)."""
    found = []
    for widget in window.findChildren(QWidget):
        if isinstance(widget, INPUTS) and widget.isVisibleTo(window) \
                and not widget.objectName().startswith("qt_") and not widget.accessibleName():
            found.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return found


def _show(qtbot: QtBot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_every_input_and_button_of_every_window_has_an_accessible_name(
        database, worker, senior, admin, ops, make_window, qtbot, now) -> None:
    item_id = register_simple(database, worker, now=now, concerns=("vald_mot_barn",)).item_ids[0]
    with database.transaction() as session:
        row = list_queue(session, worker, now=now).rows[0]
    window = make_window(senior, extensions=EXTENSIONS)
    window.select_item(item_id)
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    windows: list[QWidget] = [window]
    screen = AssessmentScreen(ops, worker, item_id, clock=lambda: now)
    _show(qtbot, screen)
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT_MS):
        screen.load()
    windows.append(screen)
    register = _show(qtbot, RegisterDialog(ops, worker))
    qtbot.waitUntil(lambda: register.is_ready, timeout=WAIT_MS)
    register.children_section.add_row()
    windows.append(register)
    windows += [
        _show(qtbot, ProposalDialog(ops, worker, item_id, child_name="Ella", violence=True)),
        _show(qtbot, ExtensionDialog(ops, worker, row)),
        _show(qtbot, SignatureDialog(method="password", phrase="", summary="Beslut")),
        _show(qtbot, ReturnDialog()),
        _show(qtbot, AlarmsDialog(ops, admin)),
        _show(qtbot, LetterDialog(ops, worker, item_id)),
        _show(qtbot, TemplateEditor(ops, admin)),
        _show(qtbot, ProfileForm(ops, admin)),
        _show(qtbot, SignInDialog(ops)),
        _show(qtbot, RecoveryKeyDialog(Path("mottagning.db.database"), "ABCD-EFGH", "Skriv ut nyckeln.")),
    ]
    qtbot.waitUntil(lambda: ops.idle and window.ops.idle, timeout=WAIT_MS)
    problems = {w.windowTitle() or type(w).__name__: unnamed(w) for w in windows}
    bad = {title: found for title, found in problems.items() if found}
    assert bad == {}


def _focus_picture(qtbot: QtBot, widget: QWidget, other: QWidget) -> tuple[bytes, bytes]:
    other.setFocus()
    qtbot.waitUntil(lambda: other.hasFocus(), timeout=WAIT_MS)
    unfocused = widget.grab().toImage()
    widget.setFocus()
    qtbot.waitUntil(lambda: widget.hasFocus(), timeout=WAIT_MS)
    focused = widget.grab().toImage()
    return bytes(unfocused.constBits()), bytes(focused.constBits())


def test_radio_buttons_and_combo_boxes_show_the_focus(qtbot: QtBot) -> None:
    install_focus_frames(QApplication.instance())
    box = QWidget()
    layout = QVBoxLayout(box)
    radio, combo, other = QRadioButton("Omedelbart skyddsbehov"), QComboBox(), QRadioButton("Annat")
    combo.addItems(["Telefon", "Brev"])
    for widget in (radio, combo, other):
        layout.addWidget(widget)
    _show(qtbot, box)
    box.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=WAIT_MS)
    for widget in (radio, combo):
        unfocused, focused = _focus_picture(qtbot, widget, other)
        # the focus frame's colour appears in the focused picture only
        orange = bytes([0x00, 0x6c, 0xef, 0xff])  # #ef6c00 as BGRA
        assert orange not in unfocused and orange in focused, type(widget).__name__
    assert Qt.FocusPolicy.StrongFocus & radio.focusPolicy()
