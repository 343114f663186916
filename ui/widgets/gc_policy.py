"""Garbage collection only on the GUI thread.

Python's cycle collector runs in whichever thread happens to allocate. If it collects a
Qt object there (a closed dialog caught in a cycle of its own signal connections, say)
while a database worker thread is allocating, the C++ object is destroyed outside the GUI
thread and Qt later crashes on its dangling timers. So, as Anki does, automatic
collection is switched off and the GUI thread collects at its own pace.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

COLLECT_INTERVAL_MS = 30_000


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = COLLECT_INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    @staticmethod
    def collect() -> int:
        return gc.collect()
