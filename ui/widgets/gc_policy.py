"""Garbage collection only on the GUI thread, in short pauses.

Python's cycle collector runs in whichever thread happens to allocate. If it collects a
Qt object there (a closed dialog caught in a cycle of its own signal connections, say)
while a database worker thread is allocating, the C++ object is destroyed outside the GUI
thread and Qt later crashes on its dangling timers. So, as Anki does, automatic
collection is switched off and the GUI thread collects at its own pace.

A full collection with the window open and a few hundred rows loaded takes a quarter of
a second: a visible stall. So:

- once the window is complete, `freeze()` moves everything alive then (Qt, SQLAlchemy, the
  window itself) out of the collector's sight: no later collection walks it again;
- a short timer collects the young generations when their counts pass Python's own
  thresholds, as automatic collection would, but on this thread (a few milliseconds);
- a full collection runs only when a dialog or window closes (its cycles are garbage now)
  and on a long timer.

`benchmarks/bench_gc_pauses.py` measures the pauses.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from shiboken6 import Shiboken

YOUNG_CHECK_MS = 500
FULL_INTERVAL_MS = 10 * 60_000
CLOSE_DELAY_MS = 200  # after a dialog closes: let its deleteLater run first


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, young_check_ms: int = YOUNG_CHECK_MS,
                 full_interval_ms: int = FULL_INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        self.frozen = False
        self._young = QTimer(self, interval=young_check_ms)
        self._young.timeout.connect(self.collect_young)
        self._young.start()
        self._full = QTimer(self, interval=full_interval_ms)
        self._full.timeout.connect(self.collect)
        self._full.start()
        self._after_close = QTimer(self, singleShot=True, interval=CLOSE_DELAY_MS)
        self._after_close.timeout.connect(self.collect)
        self._focus_window: QWindow | None = None
        if isinstance(parent, QGuiApplication):
            parent.focusWindowChanged.connect(self.on_focus_window_changed)

    def freeze(self) -> None:
        """Once the main window is up: what lives now is never walked again."""
        gc.collect()
        gc.freeze()
        self.frozen = True

    @staticmethod
    def collect_young() -> int:
        """Collect generation 0 (or 1) when its count passes the threshold."""
        threshold0, threshold1, _threshold2 = gc.get_threshold()
        count0, count1, _count2 = gc.get_count()
        if count1 >= threshold1:
            return gc.collect(1)
        if count0 >= threshold0:
            return gc.collect(0)
        return 0

    @staticmethod
    def collect() -> int:
        return gc.collect()

    def on_focus_window_changed(self, window: QWindow | None) -> None:
        """The focus left a window that is now closed (a dialog, say): collect fully."""
        previous, self._focus_window = self._focus_window, window
        if previous is not None and (not Shiboken.isValid(previous) or not previous.isVisible()):
            self._after_close.start()


def freeze_once_loaded(window, collector: GuiThreadCollector) -> None:  # type: ignore[no-untyped-def]
    """Freeze the heap when the main window is complete: its first page shown (the full
    collection would delay that paint) and the other areas installed (what they built
    lives as long as the window)."""
    if window.started:
        collector.freeze()
        return

    def started() -> None:
        window.sig_started.disconnect(started)
        collector.freeze()

    window.sig_started.connect(started)
