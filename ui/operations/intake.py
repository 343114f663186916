"""Intake actions of the GUI, one core call each (Anki's aqt/operations/<area>.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from mottagning.context import Changes
from mottagning.intake.importer import Importer, ImportSummary
from mottagning.intake.lock import InboxBusy, InboxLock
from ui.operations import Failure, Operations, Success
from ui.operations.progress import LongJob, Progress, ShouldCancel


@dataclass(frozen=True)
class InboxImport:
    """One run over the watched inbox and what it changed (for the views to refresh)."""

    summary: ImportSummary | None  # None: a service (`mottagning import --watch`) holds the inbox
    cancelled: bool = False

    @property
    def changes(self) -> Changes | None:
        summary = self.summary
        if summary is None or not summary.files_seen:
            return None
        # a registered report is a new queue item and may close a missing-submission alarm;
        # a quarantined file or a conflicting duplicate raises an alarm
        return Changes(queue=summary.registered > 0, alarms=True)


def import_inbox(ops: Operations, inbox: Path, *, success: Success | None = None,
                 failure: Failure | None = None, initiator: object | None = None) -> LongJob:
    """Import the inbox once, each file in its own transaction, exactly as `mottagning import`
    does; cancelling stops between files. Steps aside while another importer holds the inbox."""
    database = ops.database

    def run(progress: Progress, should_cancel: ShouldCancel) -> InboxImport:
        try:
            with InboxLock(inbox):
                summary = Importer(database, inbox).run_once(progress=progress, should_cancel=should_cancel)
        except InboxBusy:
            return InboxImport(None)
        return InboxImport(summary, cancelled=should_cancel())

    return ops.long(run, label=QCoreApplication.translate("intake", "Anmälningar hämtas från e-tjänstens inkorg…"),
                    success=success, failure=failure, initiator=initiator)
