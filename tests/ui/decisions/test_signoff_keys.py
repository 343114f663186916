"""Återsänd is reachable with a key every keyboard has (Alt+K), not only Alt+Å."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from tests.core.decision_helpers import NOT_OPENED, item_in_assessment, propose
from tests.ui.conftest import WAIT_MS
from ui.decisions.signoff_pane import SignoffPane
from ui.operations import Operations


def test_return_has_a_shortcut_typeable_on_a_non_swedish_keyboard(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    propose(database, worker, item_id, NOT_OPENED, now=now)
    pane = SignoffPane(ops, senior)
    qtbot.addWidget(pane)
    pane.show()
    pane.activateWindow()
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        pane.refresh()
    qtbot.waitUntil(lambda: pane.list.count() == 1, timeout=WAIT_MS)
    pane.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: pane.detail is not None and pane.return_button.isEnabled(),
                    timeout=WAIT_MS)
    assert pane.return_button.shortcut() == QKeySequence("Alt+K")
    assert all(ord(ch) < 128 for ch in pane.return_button.shortcut().toString())
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: pane.return_dialog is not None and pane.return_dialog.isVisible(),
                    timeout=WAIT_MS)
    pane.return_dialog.reject()
