"""The recovery-key dialog shows the key once, copyable, with the instruction."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from mottagning.db.keys import DbKey
from ui.access.key_prompts import RecoveryKeyDialog


def test_recovery_key_dialog_shows_and_copies_the_key(qtbot: QtBot) -> None:
    key = DbKey.generate().recovery_text()
    dialog = RecoveryKeyDialog(Path("/data/mottagning.db"), key, "Skriv ut nyckeln.")
    qtbot.addWidget(dialog)
    assert dialog.key_label.text() == key
    copy = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Kopiera nyckeln")
    copy.click()
    assert QGuiApplication.clipboard().text() == key
    assert DbKey.parse(QGuiApplication.clipboard().text()) == DbKey.parse(key)

