"""The banner shown while the database server cannot be reached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from mottagning.timeutil import to_local, utc_now

CONNECTION_BANNER = ("background: #5f3b00; color: white; font-weight: bold; padding: 6px; "
                     "border-radius: 4px;")


class ConnectionBanner(QLabel):
    """Hidden while the server answers; says since when the screens show old data. The
    program reconnects by itself."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__()
        self._clock = clock
        self.setObjectName("connectionBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet(CONNECTION_BANNER)
        self.hide()

    def set_connected(self, connected: bool) -> None:
        if not connected:
            since = to_local(self._clock())
            self.setText(self.tr(
                "Ingen kontakt med databasen – det du skriver sparas på den här datorn. "
                "Kön och ärendena visar läget från kl. {time}; programmet återansluter av "
                "sig självt.").format(time=f"{since:%H.%M}"))
        self.setVisible(not connected)
