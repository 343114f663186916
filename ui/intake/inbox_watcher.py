"""Watches the e-service inbox: a file-system watcher plus a periodic scan as a fallback.

Imports run as a long operation (`ui.operations.intake.import_inbox`): off the GUI thread
and beside the window's database worker (an import of many files must not hold it up),
each file in its own transaction, exactly as `mottagning import` does, with progress and
cancel. What an import changed is announced like any other operation's changes. When a
service (`mottagning import --watch`) holds the inbox lock, the window steps aside.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from ui.operations import Operations
from ui.operations.intake import InboxImport, import_inbox
from ui.operations.progress import LongJob

log = logging.getLogger(__name__)

SCAN_INTERVAL_MS = 60_000
SETTLE_MS = 1_500  # let an e-service finish renaming its files before we look


class InboxWatcher(QObject):
    """Imports new files from `inbox` as they arrive and at least every minute."""

    sig_imported = Signal(object)  # InboxImport of a run that held the inbox
    sig_failed = Signal(str)

    def __init__(self, ops: Operations, inbox: Path, *, parent: QObject | None = None,
                 scan_interval_ms: int = SCAN_INTERVAL_MS):
        super().__init__(parent)
        self.inbox = inbox
        self._ops = ops
        self.job: LongJob | None = None
        self._again = False
        self._stopped = False

        self._watcher = QFileSystemWatcher([str(inbox)], self)
        self._watcher.directoryChanged.connect(lambda _path: self._settle.start())
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self.scan)
        self._timer = QTimer(self, interval=scan_interval_ms)
        self._timer.timeout.connect(self.scan)
        self._timer.start()

    def scan(self) -> None:
        """Import now (or right after the run in progress)."""
        if self._stopped:
            return
        if self.job is not None:
            self._again = True
            return
        self.job = import_inbox(self._ops, self.inbox, success=self._on_finished,
                                failure=self._on_failed, initiator=self)

    def _on_finished(self, result: InboxImport) -> None:
        self.job = None
        if result.summary is not None:
            self.sig_imported.emit(result)
        if self._again and not result.cancelled:
            self._again = False
            self.scan()

    def _on_failed(self, error: BaseException) -> None:
        self.job = None
        log.error("inbox import failed", exc_info=error)
        self.sig_failed.emit(str(error))

    def stop(self) -> None:
        """No more imports; one in progress stops after the file in hand."""
        self._stopped = True
        self._timer.stop()
        self._settle.stop()
        if self.job is not None:
            self.job.cancel()
