"""Other desks' changes, delivered on the GUI thread as a Qt signal.

On PostgreSQL a listener thread holds its own connection, LISTENing (see
`mottagning.audit.changes`); it never touches a widget, only emits signals, which Qt
queues to the GUI thread. It notices a lost server within a couple of seconds
(`sig_connection(False)`) and reconnects by itself; after a reconnection everything is
refreshed, since notices sent meanwhile are lost. On the embedded database the audit log is
polled through the window's database worker instead.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import Shiboken

from mottagning.audit.changes import (
    EVERYTHING,
    ChangeNotice,
    latest_event_id,
    listen_postgresql,
    poll_audit_log,
)
from mottagning.context import Changes
from ui.operations import Operations

POLL_MS = 2_000  # the embedded database: how often the audit log is read


def changes_of_notice(notice: ChangeNotice) -> Changes:
    """What the screens refresh for another desk's change."""
    kinds = notice.kinds
    return Changes(queue="queue" in kinds, item_ids=notice.item_ids, alarms="alarms" in kinds,
                   decisions="decisions" in kinds, letters="letters" in kinds)


class ChangeFeed(QObject):
    """`sig_changes(ChangeNotice)` for every change another desk (or process) committed;
    `sig_connection(bool)` when the contact with the server is lost or comes back."""

    sig_changes = Signal(object)
    sig_connection = Signal(bool)

    def __init__(self, ops: Operations, *, poll_ms: int = POLL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._ops = ops
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._timer: QTimer | None = None
        self._last_event_id: int | None = None
        self._polling = False
        self.connected = True
        if ops.database.embedded:
            self._timer = QTimer(self, interval=poll_ms)
            self._timer.timeout.connect(self._poll)
            ops.query(latest_event_id, success=self._start_polling)
        else:
            self._thread = threading.Thread(target=self._listen, name="mottagning-notify",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop listening (the window closes); waits for the listener to let go."""
        self._stop.set()
        if self._timer is not None:
            self._timer.stop()
        if self._thread is not None:
            self._thread.join(5)

    # -- PostgreSQL --------------------------------------------------------------

    def _listen(self) -> None:
        listen_postgresql(self._ops.database.engine, on_notice=self._emit_notice,
                          should_stop=self._stop.is_set, on_connection=self._emit_connection)

    def _emit_notice(self, notice: ChangeNotice) -> None:
        if not self._stop.is_set() and Shiboken.isValid(self):
            self.sig_changes.emit(notice)

    def _emit_connection(self, up: bool) -> None:
        if self._stop.is_set() or not Shiboken.isValid(self):
            return
        was = self.connected
        self.connected = up
        if up != was:
            self.sig_connection.emit(up)
            if up:  # what was sent while we were away is lost: refresh everything
                self.sig_changes.emit(EVERYTHING)

    # -- the embedded database ---------------------------------------------------

    def _start_polling(self, last_event_id: int) -> None:
        self._last_event_id = last_event_id
        if self._timer is not None and not self._stop.is_set():
            self._timer.start()

    def _poll(self) -> None:
        if self._polling or self._last_event_id is None:
            return
        self._polling = True
        after = self._last_event_id
        self._ops.query(lambda session: poll_audit_log(session, after),
                        success=self._polled, failure=self._poll_failed)

    def _polled(self, result: tuple[ChangeNotice | None, int]) -> None:
        self._polling = False
        notice, self._last_event_id = result
        if notice is not None and not self._stop.is_set():
            self.sig_changes.emit(notice)

    def _poll_failed(self, _error: BaseException) -> None:
        self._polling = False  # the next tick tries again; a local file does not go away
