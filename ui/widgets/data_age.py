"""How old the shown data is, beside the queue and the detail pane while the database
server cannot be reached: "Senast hämtad kl. 09.41 (för 12 minuter sedan)". Hidden while
the server answers, when what is shown is current."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from mottagning.i18n import ngettext
from mottagning.timeutil import format_datetime_sv, to_local, utc_now

TICK_MS = 30_000
DATA_AGE_STYLE = "background: #fff4ce; color: #5f3b00; font-weight: bold; padding: 3px 6px;"


class DataAge(QLabel):
    def __init__(self, clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self._clock = clock
        self.fetched_at: datetime | None = None
        self._connected = True
        self.setObjectName("dataAge")
        self.setWordWrap(True)
        self.setStyleSheet(DATA_AGE_STYLE)
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._update)
        self.hide()

    def mark_fetched(self) -> None:
        """The data shown beside it was just read from the database."""
        self.fetched_at = self._clock()
        self._update()

    def set_connected(self, connected: bool) -> None:
        self._connected = connected
        if connected:
            self._tick.stop()
        else:
            self._tick.start()
        self._update()

    def text_at(self, now: datetime) -> str:
        if self.fetched_at is None:
            return self.tr("Ingenting hämtat ännu")
        fetched, local_now = to_local(self.fetched_at), to_local(now)
        when = (f"kl. {fetched:%H.%M}" if fetched.date() == local_now.date()
                else format_datetime_sv(self.fetched_at))
        minutes = max(0, int((now - self.fetched_at).total_seconds() // 60))
        age = ngettext(self.tr("för {n} minut sedan"), self.tr("för {n} minuter sedan"),
                       minutes).format(n=minutes) if minutes else self.tr("nyss")
        return self.tr("Senast hämtad {when} ({age})").format(when=when, age=age)

    def _update(self) -> None:
        self.setVisible(not self._connected)
        if not self._connected:
            self.setText(self.text_at(self._clock()))
