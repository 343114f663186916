"""The start-up sign-in dialog: a wrong password is explained, the right one signs in."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mottagning.access import auth
from mottagning.context import Actor
from mottagning.db.database import Database
from tests.ui.conftest import WAIT_MS
from ui.access.signin_dialog import SignInDialog
from ui.operations import Operations

PASSWORD = "Hemligt-losen-2026"  # QTest types ASCII only


def _dialog(database: Database, worker: Actor, ops: Operations, qtbot: QtBot) -> SignInDialog:
    with database.transaction() as session:
        auth.set_password(session, worker, new_password=PASSWORD)
    dialog = SignInDialog(ops, username="anna")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_wrong_password_is_explained_and_the_right_one_signs_in(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
) -> None:
    dialog = _dialog(database, worker, ops, qtbot)
    qtbot.keyClicks(dialog.form.password, "fel-losenord")
    qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.form.message.isVisible, timeout=WAIT_MS)
    assert dialog.form.message.text() == "Fel användarnamn eller lösenord."
    assert dialog.form.password.text() == "" and dialog.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.form.password, PASSWORD)
        qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    assert dialog.actor == worker


def test_an_empty_password_is_not_sent(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
) -> None:
    dialog = _dialog(database, worker, ops, qtbot)
    dialog.form.button.click()
    assert dialog.form.message.text() == "Skriv ditt användarnamn och lösenord."
    assert ops.idle


def test_byt_anvandare_in_the_arkiv_menu_opens_a_window_for_the_user_who_signs_in(
    database: Database, worker: Actor, senior: Actor, qtbot: QtBot
) -> None:
    from ui.app import _WindowSession

    with database.transaction() as session:
        auth.set_password(session, senior, new_password=PASSWORD)
    previous_hook = sys.excepthook
    windows = _WindowSession(database, demo=False)
    windows.open(worker)
    first = windows.window  # deleted by the switch: not handed to qtbot
    assert sys.excepthook is not previous_hook  # an error in any slot reaches its error dialog
    qtbot.waitUntil(lambda: first.model.loaded_once, timeout=WAIT_MS)
    archive = first.menu(first.tr("&Arkiv"))
    assert "&Byt användare…" in [action.text() for action in archive.actions()]

    first.switch_user_action.trigger()
    dialog = first.switch_user_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.form.username, "maria")
    qtbot.keyClick(dialog.form.username, Qt.Key.Key_Return)  # she has a password: it is asked for
    qtbot.waitUntil(dialog.form.message.isVisible, timeout=WAIT_MS)
    assert windows.window is first
    with qtbot.waitSignal(first.sig_user_switched, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.form.password, PASSWORD)
        qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    second = windows.window
    qtbot.addWidget(second)
    assert second is not first and second.actor == senior and second.isVisible()
    assert not first.isVisible()
    assert "Maria Testsson" in second.user_label.text()
    second.close()
    windows.restore_hook()
    assert sys.excepthook is previous_hook
