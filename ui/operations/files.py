"""PDF/file work on the thread pool (rendering pages, rasterising for print).

Runs through `ui.operations.pool`, so the GUI thread keeps every job, and the widgets its
closures hold, until the result has been delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from shiboken6 import Shiboken

from ui.operations.pool import pool_jobs


class PdfWork(QObject):
    """Runs PDF rendering off the GUI thread for one view; callbacks arrive on the GUI thread.

    Only the newest request's result is delivered, so fast typing never shows an old page.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._generation = 0
        self._running = 0

    @property
    def idle(self) -> bool:
        return self._running == 0

    def run(self, fn: Callable[[], Any], *, success: Callable[[Any], None],
            failure: Callable[[BaseException], None]) -> None:
        self._generation += 1
        generation = self._generation
        self._running += 1

        def deliver(result: Any, error: BaseException | None) -> None:
            if not Shiboken.isValid(self):  # the view closed meanwhile
                return
            self._running -= 1
            if generation != self._generation:
                return
            if error is not None:
                failure(error)
            else:
                success(result)

        pool_jobs().submit(fn, deliver)
