"""The banner shown while the database server cannot be reached."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

CONNECTION_BANNER = ("background: #5f3b00; color: white; font-weight: bold; padding: 6px; "
                     "border-radius: 4px;")


class ConnectionBanner(QLabel):
    """Hidden while the server answers; the program reconnects by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("connectionBanner")
        self.setText(self.tr(
            "Ingen kontakt med databasen – det du skriver sparas på den här datorn. "
            "Programmet återansluter av sig självt."))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet(CONNECTION_BANNER)
        self.hide()

    def set_connected(self, connected: bool) -> None:
        self.setVisible(not connected)
