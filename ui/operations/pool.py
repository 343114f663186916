"""Work on Qt's thread pool under the same ownership rule as the database worker.

A job's function usually closes over widgets. If a pool thread dropped the last reference
to it (Qt deletes a finished QRunnable on the pool thread), Python would destroy those
widgets there, and Qt crashes later on their dangling timers. So the GUI thread keeps
every job in a table until its result has been delivered; only job numbers cross threads,
and the pool thread lets go of its own references before it reports back.
"""

from __future__ import annotations

import functools
import itertools
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

Deliver = Callable[[Any, BaseException | None], None]


def drop_frames(error: BaseException | None) -> None:
    """Forget the tracebacks (their frames hold the job's locals, widgets among them)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        error = error.__cause__ or error.__context__


@dataclass(frozen=True)
class _PoolJob:
    fn: Callable[[], Any]
    deliver: Deliver


class PoolJobs(QObject):
    """The GUI thread's table of pool jobs; one per application (see `pool_jobs()`)."""

    sig_done = Signal(int, object, object)  # job number, result, error

    def __init__(self) -> None:
        super().__init__()
        self._numbers = itertools.count(1)
        self._jobs: dict[int, _PoolJob] = {}
        self._lock = threading.Lock()
        self.sig_done.connect(self._on_done)

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def submit(self, fn: Callable[[], Any], deliver: Deliver) -> int:
        """Run `fn()` on the pool; `deliver(result, error)` runs on the GUI thread."""
        number = next(self._numbers)
        with self._lock:
            self._jobs[number] = _PoolJob(fn, deliver)
        # the runnable holds this table (alive for the application) and a number, nothing else
        QThreadPool.globalInstance().start(functools.partial(self._run, number))
        return number

    def _run(self, number: int) -> None:  # on a pool thread
        with self._lock:
            fn = self._jobs[number].fn
        result, error = None, None
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            drop_frames(exc)
            error = exc
        del fn
        self.sig_done.emit(number, result, error)

    @Slot(int, object, object)
    def _on_done(self, number: int, result: Any, error: BaseException | None) -> None:
        with self._lock:
            job = self._jobs.pop(number)
        job.deliver(result, error)  # the job and its closures are released here, on this thread


_pool_jobs: PoolJobs | None = None


def pool_jobs() -> PoolJobs:
    """The application's pool-job table, made on first use (always from the GUI thread)."""
    global _pool_jobs
    if _pool_jobs is None:
        _pool_jobs = PoolJobs()
    return _pool_jobs
