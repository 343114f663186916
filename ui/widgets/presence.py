"""The line at the top of a form that says who else is editing the same thing."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel
from shiboken6 import Shiboken

from mottagning.access.presence import HEARTBEAT, mark_editing, others_editing, stop_editing
from mottagning.audit.changes import ChangeNotice
from mottagning.context import Actor
from ui.operations import Operations
from ui.widgets.style import WARNING_BOX


class PresenceLine(QLabel):
    """Marks the form as open by this user (with a heartbeat) and shows the others.

    `text` has a `{names}` placeholder, e.g. "{names} redigerar den här
    skyddsbedömningen". Updated when another desk opens or closes the same form (the
    window's change feed, when given) and at each heartbeat."""

    def __init__(self, ops: Operations, actor: Actor, *, kind: str, item_id: int, text: str,
                 feed: QObject | None = None):
        super().__init__()
        self.setObjectName("presenceLine")
        self.setWordWrap(True)
        self.setStyleSheet(WARNING_BOX)
        self.hide()
        self._ops, self._actor, self._kind, self.item_id = ops, actor, kind, item_id
        self._text = text
        self._open = False
        self.others: list[str] = []
        self._heartbeat = QTimer(self, interval=int(HEARTBEAT.total_seconds() * 1000))
        self._heartbeat.timeout.connect(self._mark)
        if feed is not None:
            feed.sig_changes.connect(self._on_changes)  # type: ignore[attr-defined]

    def start(self) -> None:
        self._open = True
        self._heartbeat.start()
        self._mark()

    def stop(self) -> None:
        """The form closes: the others' screens stop naming this user."""
        if not self._open:
            return
        self._open = False
        self._heartbeat.stop()
        actor, kind, item_id = self._actor, self._kind, self.item_id
        try:
            self._ops.mutate(
                lambda session: stop_editing(session, actor, kind=kind, item_id=item_id),
                failure=lambda _error: None)  # a lost server: the row goes stale by itself
        except RuntimeError:
            pass  # the window closed first (its operations are shut down): the same

    def _mark(self) -> None:
        if not self._open:
            return
        actor, kind, item_id = self._actor, self._kind, self.item_id
        self._ops.mutate(lambda session: mark_editing(session, actor, kind=kind, item_id=item_id),
                         success=self._show, failure=lambda _error: None)

    def _on_changes(self, notice: ChangeNotice) -> None:
        # Only read here: writing (a heartbeat) would notify the other desk, which would
        # read... and so on, back and forth.
        if self._open and (not notice.complete or (
                "editing_presence" in notice.tables and self.item_id in notice.item_ids)):
            actor, kind, item_id = self._actor, self._kind, self.item_id
            self._ops.query(
                lambda session: others_editing(session, actor, kind=kind, item_id=item_id),
                success=self._show, failure=lambda _error: None)

    def _show(self, others: list[str]) -> None:
        if not Shiboken.isValid(self) or not self._open:
            return  # the form closed while the answer was on its way
        self.others = others
        if not others:
            self.hide()
            return
        self.setText(self._text.format(names=" och ".join(
            [", ".join(others[:-1]), others[-1]] if len(others) > 1 else others)))
        self.show()
