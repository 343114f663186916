"""The idle lock hides case data after the configured idle time and keeps open drafts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QPushButton, QVBoxLayout
from pytestqt.qtbot import QtBot

from mottagning.access import auth
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import Setting
from tests.ui.conftest import WAIT_MS
from ui.access.idle_lock import install_idle_lock

# QTest types ASCII only.
PASSWORD = "Hemligt-losen-2026"
DRAFT = "Mamma ringde och berattade mer om natten."


def _set_password(database: Database, actor: Actor) -> None:
    with database.transaction() as session:
        auth.set_password(session, actor, new_password=PASSWORD)


def _draft_dialog(window, qtbot: QtBot) -> tuple[QDialog, QPlainTextEdit]:
    # A form that holds unsaved text, opened window-modally like the real ones.
    dialog = QDialog(window)
    editor = QPlainTextEdit(dialog)
    QVBoxLayout(dialog).addWidget(editor)
    dialog.open()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    editor.setFocus()
    qtbot.keyClicks(editor, DRAFT)
    return dialog, editor


def _unlock_with(qtbot: QtBot, lock, password: str) -> None:
    qtbot.keyClicks(lock.form.password, password)
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)


def test_the_lock_comes_after_the_configured_idle_time_and_covers_the_case_data(
    database: Database, worker: Actor, make_window, qtbot: QtBot
) -> None:
    with database.transaction() as session:
        # 0.3 seconds: below what a person may set, so written past the service's check
        session.merge(Setting(key=auth.IDLE_LOCK_KEY, value={"value": 0.005}))
    window = make_window(worker)
    lock = install_idle_lock(window)
    with qtbot.waitSignal(lock.sig_locked, timeout=WAIT_MS):
        pass
    central = window.centralWidget()
    assert not central.isEnabled()
    # What the user sees over the queue and the detail pane is the cover.
    for pane in (window.table, window.detail):
        seen = window.childAt(pane.mapTo(window, pane.rect().center()))
        assert "lockCover" in (seen.objectName(), seen.parent().objectName())
    lock.shutdown()


def test_typed_text_in_an_open_form_survives_lock_and_unlock(
    database: Database, worker: Actor, make_window, qtbot: QtBot
) -> None:
    _set_password(database, worker)
    window = make_window(worker)
    lock = install_idle_lock(window, timeout_ms=60_000)
    dialog, editor = _draft_dialog(window, qtbot)
    with qtbot.waitSignal(lock.sig_locked, timeout=WAIT_MS):
        lock.lock()
    # Escape and a close request do nothing to the form while locked.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible() and editor.toPlainText() == DRAFT
    assert not editor.isEnabled()
    with qtbot.waitSignal(lock.sig_unlocked, timeout=WAIT_MS):
        _unlock_with(qtbot, lock, PASSWORD)
    assert dialog.isVisible() and editor.isEnabled() and editor.toPlainText() == DRAFT
    assert window.centralWidget().isEnabled()
    dialog.reject()
    lock.shutdown()


def test_a_wrong_password_keeps_the_lock_and_says_so(
    database: Database, worker: Actor, make_window, qtbot: QtBot
) -> None:
    _set_password(database, worker)
    window = make_window(worker)
    lock = install_idle_lock(window, timeout_ms=60_000)
    with qtbot.waitSignal(lock.sig_locked, timeout=WAIT_MS):
        lock.lock()
    _unlock_with(qtbot, lock, "Fel-losenord-99")
    qtbot.waitUntil(lambda: lock.form.message.isVisible(), timeout=WAIT_MS)
    assert lock.form.message.text() == "Fel användarnamn eller lösenord."
    assert lock.locked and not window.centralWidget().isEnabled()
    for _ in range(2):
        qtbot.waitUntil(lambda: lock.form.button.isEnabled(), timeout=WAIT_MS)
        _unlock_with(qtbot, lock, "Fel-losenord-99")
    qtbot.waitUntil(lambda: "vänta 5 sekunder" in lock.form.message.text(), timeout=WAIT_MS)
    assert not lock.form.button.isEnabled() and lock.form.button.text().startswith("Vänta")
    lock.shutdown()


def test_without_a_password_the_lock_opens_with_a_button_and_suggests_one(
    database: Database, worker: Actor, make_window, qtbot: QtBot
) -> None:
    window = make_window(worker)
    lock = install_idle_lock(window, timeout_ms=60_000)
    with qtbot.waitSignal(lock.sig_locked, timeout=WAIT_MS):
        lock.lock()
    assert lock.form is None
    [button] = [b for b in lock._dialog.findChildren(QPushButton) if b.text() == "Lås upp"]
    with qtbot.waitSignal(lock.sig_unlocked, timeout=WAIT_MS):
        button.click()
    assert window.centralWidget().isEnabled()
    lock.shutdown()
