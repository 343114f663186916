"""Actions on the selected queue item that belong to no other area: handing it over."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from mottagning.rules.permissions import Action, allowed
from mottagning.rules.status import Status
from mottagning.services.items import hand_over_item


class ItemActions(QObject):
    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window = window
        self.hand_over = QAction(self.tr("Avsluta i mottagningen (beslutet är signerat)…"), window)
        self.hand_over.setEnabled(False)
        self.hand_over.triggered.connect(self.confirm_hand_over)
        if allowed(window.actor.roles, Action.PROPOSE_DECISION):
            window.menu(self.tr("Ä&rende")).addAction(self.hand_over)
        window.sig_current_item_changed.connect(lambda _id: self._update())
        window.model.sig_loaded.connect(self._update)

    def _current(self):  # type: ignore[no-untyped-def]
        return self._window.model.row_at(self._window.table.currentIndex().row())

    def _update(self) -> None:
        row = self._current()
        self.hand_over.setEnabled(row is not None and row.status == Status.DECISION_SIGNED)

    def confirm_hand_over(self, *, ask: bool = True) -> None:
        row = self._current()
        if row is None or row.status != Status.DECISION_SIGNED:
            return
        if ask:
            answer = QMessageBox.question(
                self._window, self.tr("Avsluta i mottagningen"),
                self.tr("Beslutet om {name} är signerat. Avsluta ärendet i mottagningen? "
                        "Det försvinner då ur kön men finns kvar i barnets historik.").format(
                    name=row.child_name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        actor, item_id = self._window.actor, row.id
        self._window.ops.mutate(lambda session: hand_over_item(session, actor, item_id))


def install(window) -> ItemActions:  # type: ignore[no-untyped-def]
    return ItemActions(window)
