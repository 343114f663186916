"""The start-up sign-in dialog: a wrong password is explained, the right one signs in."""

from __future__ import annotations

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
