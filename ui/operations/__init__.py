"""Database work off the GUI thread, in the manner of Anki's CollectionOp/QueryOp.

All database work of the window runs, one job after the other, on ONE worker thread, each
job inside its own `database.transaction()` (one user action = one transaction). Results
come back to the GUI thread by signal; widgets are only ever touched there. Errors go to
one shared error dialog unless the caller handles them. A job that changes data returns
the service's `Changes` record (or a result carrying `.changes`), and `sig_operation_executed`
tells every view what to refresh.

Long work (an import, printing a batch of letters) runs with `long()`: on the thread pool
with its own sessions, showing a progress dialog that can cancel it. PDF work runs on the
pool too (`ui.operations.files`). Each user action is a small function in
`ui/operations/<area>.py` wrapping one core call.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import Shiboken
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from mottagning.context import Changes
from mottagning.db.database import Database
from mottagning.errors import ConnectionLost, MottagningError
from mottagning.timeutil import Clock, clock_in_force, utc_now
from ui.operations.pool import drop_frames, pool_jobs
from ui.operations.progress import SHOW_AFTER_MS, LongJob, LongWork

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


@dataclass(frozen=True)
class _Job:
    number: int
    fn: Callable[[Session], Any]
    success: Success | None
    failure: Failure | None
    mutates: bool
    initiator: object | None = None


SHUTDOWN = 0  # job numbers start at 1


class _Worker(QObject):
    """Lives on the worker thread; runs one job per queued call, in submission order.

    Only job numbers cross the thread boundary. A job's function usually closes over
    widgets; if the worker thread dropped the last reference to it, Python would destroy
    those widgets on the worker thread, and Qt crashes later on their dangling timers. So
    the GUI thread owns every job until it has handled the result, and the worker lets go
    of its own references before it reports back.
    """

    sig_done = Signal(int, object, object)  # job number, result, error

    def __init__(self, database: Database, jobs: dict[int, _Job], lock: threading.Lock,
                 clock: Clock):
        super().__init__()
        self._database = database
        self._clock = clock
        self._jobs = jobs
        self._lock = lock

    @Slot(int)
    def run(self, number: int) -> None:
        if number == SHUTDOWN:  # every job queued before the marker has run
            QThread.currentThread().quit()
            return
        with self._lock:
            fn = self._jobs[number].fn
        result, error = None, None
        try:
            # Every service call of the window runs in the window's clock: one given no
            # `now` still takes its time from there, never from the wall behind the tests.
            with clock_in_force(self._clock), self._database.transaction() as session:
                result = fn(session)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            drop_frames(exc)
            error = connection_lost(exc) if not self._database.embedded else exc
        del fn
        self.sig_done.emit(number, result, error)


def connection_lost(error: Exception) -> Exception:
    """A server that cannot be reached, said in Swedish (the job is not done; nothing of
    it was saved); any other error as it is."""
    if isinstance(error, OperationalError | InterfaceError):
        lost = ConnectionLost(
            "Ingen kontakt med databasen just nu. Ingenting av åtgärden sparades; "
            "programmet återansluter av sig självt, försök igen om en stund.")
        lost.__cause__ = error
        return lost
    return error


def changes_of(result: Any) -> Changes | None:
    """The `Changes` a service returned, directly or as `result.changes`."""
    if isinstance(result, Changes):
        return result
    changes = getattr(result, "changes", None)
    return changes if isinstance(changes, Changes) else None


class ErrorDialog(QObject):
    """The one error dialog of the window: later errors are added to the open one."""

    def __init__(self, parent_widget: QWidget | None = None):
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._box: QMessageBox | None = None

    @property
    def box(self) -> QMessageBox | None:
        return self._box

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, MottagningError):
            text, details = str(error), None
        else:
            log.error("unexpected error in an operation", exc_info=error)
            text = self.tr(
                "Ett oväntat fel inträffade. Ingenting av åtgärden sparades; försök igen. "
                "Om felet kommer tillbaka: kontakta systemförvaltaren och bifoga detaljerna."
            )
            details = getattr(error, "__traceback_text__", None) or repr(error)
        if self._box is not None and self._box.isVisible():
            self._box.setText(self._box.text() + "\n\n" + text)
            if details:
                self._box.setDetailedText((self._box.detailedText() + "\n" + details).strip())
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Mottagning"), text,
                          QMessageBox.StandardButton.Ok, self._parent_widget)
        if details:
            box.setDetailedText(details)
        self._box = box
        box.open()  # window-modal, never blocks the event loop


def install_error_hook(errors: ErrorDialog) -> Callable[[], None]:
    """Send every exception nobody caught (in a slot, a timer, a callback of a job) to the
    shared error dialog instead of only the log; returns a function restoring the old hook.

    PySide6 hands an exception escaping a slot to `sys.excepthook` and carries on, so
    without this a failing button looks as if it did nothing."""
    previous = sys.excepthook

    def hook(kind, error, trace) -> None:  # type: ignore[no-untyped-def]
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit
            previous(kind, error, trace)
            return
        error.__traceback_text__ = "".join(  # type: ignore[attr-defined]
            traceback.format_exception(kind, error, trace))
        try:
            errors.show_error(error)
        except RuntimeError:  # the window and its dialog are gone already
            previous(kind, error, trace)

    sys.excepthook = hook

    def restore() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous

    return restore


class Operations(QObject):
    """Runs `fn(session)` on the database worker thread.

    `query()` reads (and may write audit events of reads); `mutate()` changes data and,
    on success, emits `sig_operation_executed(changes, initiator)`. Callbacks run on the GUI
    thread. A view that passes itself as `initiator` and refreshes in its own success
    callback ignores the broadcast it caused (Anki's `OpChanges` + handler); a slot taking
    only `changes` is called with that alone.
    """

    sig_operation_executed = Signal(object, object)  # Changes, the initiating view or None
    sig_idle = Signal()
    _sig_submit = Signal(int)

    def __init__(self, database: Database, *, parent_widget: QWidget | None = None,
                 clock: Clock = utc_now):
        super().__init__(parent_widget)
        self.database = database
        self.clock = clock
        """The window's clock: the time every operation and every screen of it uses."""
        self.errors = ErrorDialog(parent_widget)
        self._parent_widget = parent_widget
        self.long_jobs: set[LongJob] = set()
        self._numbers = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._lock = threading.Lock()
        self._thread = QThread()
        self._thread.setObjectName("mottagning-db")
        self._worker = _Worker(database, self._jobs, self._lock, clock)
        self._worker.moveToThread(self._thread)
        self._sig_submit.connect(self._worker.run)
        self._worker.sig_done.connect(self._on_done)
        self._thread.start()

    @property
    def idle(self) -> bool:
        return not self._jobs and not self.long_jobs

    def query(
        self, fn: Callable[[Session], Any], *, success: Success | None = None,
        failure: Failure | None = None,
    ) -> None:
        self._submit(fn, success, failure, mutates=False)

    def mutate(
        self, fn: Callable[[Session], Any], *, success: Success | None = None,
        failure: Failure | None = None, initiator: object | None = None,
    ) -> None:
        self._submit(fn, success, failure, mutates=True, initiator=initiator)

    def _submit(self, fn: Callable[[Session], Any], success: Success | None,
                failure: Failure | None, *, mutates: bool, initiator: object | None = None) -> None:
        if not self._thread.isRunning():
            if not mutates:
                # A refresh that a finished job asked for while the window was closing.
                log.debug("read after shutdown ignored")
                return
            raise RuntimeError("operations have been shut down")
        job = _Job(next(self._numbers), fn, success, failure, mutates, initiator)
        with self._lock:
            self._jobs[job.number] = job
        self._sig_submit.emit(job.number)

    @Slot(int, object, object)
    def _on_done(self, number: int, result: Any, error: BaseException | None) -> None:
        with self._lock:
            job = self._jobs.pop(number)
        try:
            if error is not None:
                (job.failure or self.errors.show_error)(error)
                return
            if job.success is not None:
                job.success(result)
            changes = changes_of(result) if job.mutates else None
            if changes is not None:
                self.sig_operation_executed.emit(changes, job.initiator)
        finally:
            if self.idle:
                self.sig_idle.emit()

    def long(
        self, fn: LongWork, *, label: str, success: Success | None = None,
        failure: Failure | None = None, initiator: object | None = None,
        show_after_ms: int = SHOW_AFTER_MS,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> LongJob:
        """Run `fn(progress, should_cancel)` off the GUI thread, beside the database worker.

        `fn` opens its own transactions (one per file, per batch…) and returns its result,
        also when cancelled: what was done stays done. A progress dialog titled `label`
        appears when it takes longer than `show_after_ms`; "Avbryt" makes `should_cancel()`
        true. Callbacks run on the GUI thread; a result carrying `Changes` is announced
        like a mutation's. `progress(done, total, label)` is called on the GUI thread for every
        step; it is connected before the work starts, so no step is missed (a slot connected to
        `job.sig_progress` after this returns may miss the first steps)."""
        if not self._thread.isRunning():
            raise RuntimeError("operations have been shut down")
        job = LongJob(label, self._parent_widget, show_after_ms=show_after_ms)
        if progress is not None:
            job.sig_progress.connect(progress)
        self.long_jobs.add(job)

        def deliver(result: Any, error: BaseException | None) -> None:
            job.close()
            if not Shiboken.isValid(self):
                return
            self.long_jobs.discard(job)
            if not self._thread.isRunning():  # finished after the window closed: nobody to tell
                return
            try:
                if error is not None:
                    (failure or self.errors.show_error)(error)
                    return
                if success is not None:
                    success(result)
                changes = changes_of(result)
                if changes is not None:
                    self.sig_operation_executed.emit(changes, initiator)
            finally:
                if self.idle:
                    self.sig_idle.emit()

        clock = self.clock

        def run() -> Any:
            with clock_in_force(clock):  # long work runs in the window's clock too
                return job.run(fn)

        pool_jobs().submit(run, deliver)
        return job

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Let every queued job finish (a draft being saved on close, say), then stop.

        Long operations are asked to cancel and stop at their next safe point."""
        if not self._thread.isRunning():
            return
        for job in list(self.long_jobs):
            job.cancel()
        for job in list(self.long_jobs):
            job.wait_finished(timeout_ms)
        self._sig_submit.emit(SHUTDOWN)
        self._thread.wait(timeout_ms)
