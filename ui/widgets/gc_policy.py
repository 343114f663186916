"""Garbage collection only on the GUI thread, in short pauses.

Python's cycle collector runs in whichever thread happens to allocate. If it collects a
Qt object there (a closed dialog caught in a cycle of its own signal connections, say)
while a database worker thread is allocating, the C++ object is destroyed outside the GUI
thread and Qt later crashes on its dangling timers. So, as Anki does, automatic
collection is switched off and the GUI thread collects at its own pace.

A full collection with the window open and a few hundred rows loaded takes a quarter of
a second (more with thousands of rows scrolled in): a visible stall. So:

- once the window is complete (its first page shown and its other areas installed),
  `freeze()` moves everything alive then (Qt, SQLAlchemy, the window itself) out of the
  collector's sight: no later collection walks it again. It collects only the young
  generations first (a few ms; the few cycles left over from the start-up stay), never the
  whole start-up heap;
- a short timer collects the young generations when their counts pass Python's own
  thresholds, as automatic collection would, but on this thread. It looks often (every
  50 ms), so each collection finds only a few milliseconds' worth of new objects, also
  while pages arrive while scrolling; while the queue scrolls only generation 0 (what
  survives waits in generation 1 until the window is quiet);
- a full collection runs only when a dialog or window closes (its cycles are garbage now)
  and on a long timer, and then only when the window is quiet: not while the queue
  scrolls or takes in rows (`note_activity`), not with a mouse button down.

`benchmarks/bench_gc_pauses.py` measures the pauses.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from shiboken6 import Shiboken

YOUNG_CHECK_MS = 50
FULL_INTERVAL_MS = 10 * 60_000
CLOSE_DELAY_MS = 200  # after a dialog closes: let its deleteLater run first
QUIET_MS = 2_000  # a full collection waits until the window has been this long without scrolling


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, young_check_ms: int = YOUNG_CHECK_MS,
                 full_interval_ms: int = FULL_INTERVAL_MS, quiet_ms: int = QUIET_MS):
        super().__init__(parent)
        gc.disable()
        self.frozen = False
        self._quiet_ms = quiet_ms
        self._activity = QElapsedTimer()  # since the last scroll or rows taken in (invalid: none)
        self._when_quiet = QTimer(self, singleShot=True)
        self._when_quiet.timeout.connect(self.collect_when_quiet)
        self._young = QTimer(self, interval=young_check_ms)
        self._young.timeout.connect(self.collect_young)
        self._young.start()
        self._full = QTimer(self, interval=full_interval_ms)
        self._full.timeout.connect(self.collect_when_quiet)
        self._full.start()
        self._after_close = QTimer(self, singleShot=True, interval=CLOSE_DELAY_MS)
        self._after_close.timeout.connect(self.collect_when_quiet)
        self._focus_window: QWindow | None = None
        if isinstance(parent, QGuiApplication):
            parent.focusWindowChanged.connect(self.on_focus_window_changed)

    def freeze(self) -> None:
        """Once the main window is up: what lives now is never walked again (the young
        generations are collected first; a full collection would walk the whole start-up
        heap, a few hundred milliseconds before the first page could show)."""
        gc.collect(1)
        gc.freeze()
        self.frozen = True

    def note_activity(self, *_args: object) -> None:
        """The user scrolls or rows arrive: a full collection waits until it has been quiet."""
        self._activity.restart()

    def collect_when_quiet(self) -> None:
        """A full collection now, or as soon as the window has been quiet for a while."""
        if not self.quiet():
            waited = self._activity.elapsed() if self._activity.isValid() else 0
            self._when_quiet.start(max(self._quiet_ms - waited, 100))
            return
        self.collect()

    def collect_young(self) -> int:
        """Collect generation 0 (or 1) when its count passes the threshold; generation 1 only
        when the window is quiet (it holds everything that survived the last collections,
        after start-up the other pages' whole contents: tens of milliseconds)."""
        threshold0, threshold1, _threshold2 = gc.get_threshold()
        count0, count1, _count2 = gc.get_count()
        if count1 >= threshold1 and self.quiet():
            return gc.collect(1)
        if count0 >= threshold0:
            return gc.collect(0)
        return 0

    def quiet(self) -> bool:
        """No scrolling and no rows taken in for a while, no mouse button down."""
        waited = self._activity.elapsed() if self._activity.isValid() else self._quiet_ms
        return waited >= self._quiet_ms and QGuiApplication.mouseButtons() == Qt.MouseButton.NoButton

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
    lives as long as the window); hold full collections back while its queue scrolls."""
    # scrolling the queue and the rows it takes in keep full collections away
    window.table.verticalScrollBar().valueChanged.connect(collector.note_activity)
    window.model.rowsInserted.connect(collector.note_activity)
    if window.started:
        collector.freeze()
        return

    def started() -> None:
        window.sig_started.disconnect(started)
        collector.freeze()

    window.sig_started.connect(started)
