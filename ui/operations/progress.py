"""A long operation's progress dialog and its cancel flag.

The work runs on a pool thread and calls `progress(done, total, label)` and
`should_cancel()`; both are safe from any thread. The dialog appears only when the work
takes longer than `SHOW_AFTER_MS`, is not modal (the window stays usable), and its
"Avbryt" asks the work to stop at its next safe point (between files, between letters).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

SHOW_AFTER_MS = 500
# QProgressDialog would also show itself on its own estimate; our timer alone decides.
_NEVER_MS = 2**31 - 1

Progress = Callable[[int, int, str], None]
ShouldCancel = Callable[[], bool]
LongWork = Callable[[Progress, ShouldCancel], Any]


class LongJob(QObject):
    """One long operation as the GUI thread sees it."""

    sig_progress = Signal(int, int, str)  # done, total, what is being worked on

    def __init__(self, label: str, parent_widget: QWidget | None, *, show_after_ms: int = SHOW_AFTER_MS):
        super().__init__()
        self.label = label
        self.shown = False
        self.last_progress: tuple[int, int, str] | None = None
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self.dialog = QProgressDialog(label, self.tr("Avbryt"), 0, 0, parent_widget)
        self.dialog.setWindowTitle(self.tr("Mottagning"))
        self.dialog.setMinimumDuration(_NEVER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.sig_progress.connect(self._on_progress)
        self._show_timer = QTimer(self, singleShot=True, interval=show_after_ms)
        self._show_timer.timeout.connect(self._show)
        self._show_timer.start()

    # -- on the worker's thread ----------------------------------------------------

    def progress(self, done: int, total: int, label: str = "") -> None:
        self.sig_progress.emit(done, total, label)

    def should_cancel(self) -> bool:
        return self._cancel.is_set()

    def run(self, work: LongWork) -> Any:
        try:
            return work(self.progress, self.should_cancel)
        finally:
            self._finished.set()

    # -- on the GUI thread -----------------------------------------------------------

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def wait_finished(self, timeout_ms: int) -> bool:
        return self._finished.wait(timeout_ms / 1000)

    def _show(self) -> None:
        if not self.cancelled:
            self.shown = True
            self.dialog.show()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, label: str) -> None:
        self.last_progress = (done, total, label)
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        self.dialog.setLabelText(f"{self.label}\n{label}" if label else self.label)

    def close(self) -> None:
        self._show_timer.stop()
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
