"""The GUI's side of the database key (mottagning.db.keys.KeyPrompts): dialogs for the person.

ui/app.py passes `qt_key_prompts()` to open_database so that a new database shows its
recovery key once, and a database whose key is not in the keyring asks for it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.db.keys import KeyPrompts
from ui.widgets.accessibility import name_on_show


def _tr(text: str) -> str:
    return QCoreApplication.translate("KeyPrompts", text)


class RecoveryKeyDialog(QDialog):
    """Shows a new recovery key once, large and copyable, with what to do with it."""

    def __init__(self, path: Path, recovery: str, message: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Återställningsnyckel – skriv ut och förvara inlåst"))
        layout = QVBoxLayout(self)
        intro = QLabel(message)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel(self.tr("Databas: %1").replace("%1", str(path))))
        self.key_label = QLabel(recovery)
        font = QFont("DejaVu Sans Mono")
        font.setPointSize(16)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.key_label)
        copy = QPushButton(self.tr("Kopiera nyckeln"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(recovery))
        layout.addWidget(copy)
        buttons = QDialogButtonBox()
        buttons.addButton(self.tr("Jag har skrivit ut eller skrivit av nyckeln"),
                          QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        name_on_show(self)


def _ask_key(path: Path, message: str) -> str | None:
    text, ok = QInputDialog.getText(
        None, _tr("Databasens nyckel"),
        message + "\n\n" + _tr("Återställningsnyckel:"), QLineEdit.EchoMode.Password)
    return text if ok and text.strip() else None


def _show_recovery_key(path: Path, recovery: str, message: str) -> None:
    RecoveryKeyDialog(path, recovery, message).exec()


def _notify(message: str) -> None:
    QMessageBox.information(None, _tr("Databasen"), message)


def qt_key_prompts() -> KeyPrompts:
    return KeyPrompts(_ask_key, _show_recovery_key, _notify)
