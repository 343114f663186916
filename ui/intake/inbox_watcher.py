"""Watches the e-service inbox: a file-system watcher plus a periodic scan as a fallback.

Imports run on their own thread (an import of many files must not hold up the window's
database worker), each file in its own transaction, exactly as `mottagning import` does.
When a service (`mottagning import --watch`) holds the inbox lock, the window steps aside.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QThread, QTimer, Signal, Slot

from mottagning.db.database import Database
from mottagning.intake.importer import Importer, ImportSummary
from mottagning.intake.lock import InboxBusy, InboxLock

log = logging.getLogger(__name__)

SCAN_INTERVAL_MS = 60_000
SETTLE_MS = 1_500  # let an e-service finish renaming its files before we look


class _ImportWorker(QObject):
    sig_finished = Signal(object)  # ImportSummary | None (None: another importer holds the inbox)
    sig_failed = Signal(str)

    def __init__(self, database: Database):
        super().__init__()
        self._database = database

    @Slot(str)
    def run(self, inbox: str) -> None:
        path = Path(inbox)
        try:
            with InboxLock(path):
                summary = Importer(self._database, path).run_once()
        except InboxBusy:
            self.sig_finished.emit(None)
        except Exception as exc:  # noqa: BLE001 - reported to the window, retried next scan
            log.exception("inbox import failed")
            self.sig_failed.emit(str(exc))
        else:
            self.sig_finished.emit(summary)


class InboxWatcher(QObject):
    """Imports new files from `inbox` as they arrive and at least every minute."""

    sig_imported = Signal(object)  # ImportSummary after a run that saw files or alarms
    sig_failed = Signal(str)
    _sig_run = Signal(str)

    def __init__(self, database: Database, inbox: Path, *, parent: QObject | None = None,
                 scan_interval_ms: int = SCAN_INTERVAL_MS):
        super().__init__(parent)
        self.inbox = inbox
        self._running = False
        self._again = False
        self._thread = QThread()
        self._thread.setObjectName("mottagning-inbox")
        self._worker = _ImportWorker(database)
        self._worker.moveToThread(self._thread)
        self._sig_run.connect(self._worker.run)
        self._worker.sig_finished.connect(self._on_finished)
        self._worker.sig_failed.connect(self._on_failed)
        self._thread.start()

        self._watcher = QFileSystemWatcher([str(inbox)], self)
        self._watcher.directoryChanged.connect(lambda _path: self._settle.start())
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self.scan)
        self._timer = QTimer(self, interval=scan_interval_ms)
        self._timer.timeout.connect(self.scan)
        self._timer.start()

    def scan(self) -> None:
        """Import now (or right after the run in progress)."""
        if self._running:
            self._again = True
            return
        self._running = True
        self._sig_run.emit(str(self.inbox))

    def _on_finished(self, summary: ImportSummary | None) -> None:
        self._running = False
        if summary is not None:
            self.sig_imported.emit(summary)
        if self._again:
            self._again = False
            self.scan()

    def _on_failed(self, message: str) -> None:
        self._running = False
        self.sig_failed.emit(message)

    def stop(self) -> None:
        self._timer.stop()
        self._settle.stop()
        self._thread.quit()
        self._thread.wait(60_000)
