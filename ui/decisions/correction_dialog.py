"""Correcting a signed decision: "Rätta beslut…" on a queue item with a signed decision.

A signed decision is never changed. The proposal form opens prefilled from it, with a
required reason; what the worker sends is a new proposal linked to the old decision,
which a reviewer signs again in "Att signera".
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from mottagning.decisions.delegation import outcome_label
from mottagning.decisions.views import ProposalDetail, open_latest_signed
from mottagning.rules.permissions import Action, allowed
from mottagning.rules.status import DECIDED_STATUSES
from mottagning.timeutil import format_datetime_sv
from ui.decisions.proposal_dialog import ProposalDialog, decision_values, show_dialog


class CorrectionAction(QObject):
    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window = window
        self.correction_dialog: ProposalDialog | None = None
        self.action = QAction(self.tr("&Rätta beslut…"), window)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.open)
        window.menu(self.tr("Ä&rende")).addAction(self.action)
        window.sig_current_item_changed.connect(lambda _id: self._update())
        window.model.sig_loaded.connect(self._update)

    def _update(self) -> None:
        row = self._window.selected_row()
        self.action.setEnabled(row is not None and row.status in DECIDED_STATUSES)

    def open(self) -> None:
        """Load the item's latest signed decision (an audited read), then open the form."""
        row = self._window.selected_row()
        if row is None or row.status not in DECIDED_STATUSES:
            return
        actor, item_id = self._window.actor, row.id
        self._window.ops.query(lambda session: open_latest_signed(session, actor, item_id),
                               success=self._show)

    def _show(self, detail: ProposalDetail) -> None:
        window, decision, row = self._window, detail.decision, detail.row
        notice = self.tr(
            "Rättelse av beslut {id} ({outcome}), signerat {when} av {who}. Det signerade beslutet "
            "ändras inte: rättelsen blir ett nytt beslut som hänvisar till det och signeras på nytt. "
            "Ändra det som ska rättas och skriv skälet.").format(
            id=decision.id, outcome=outcome_label(decision.outcome).lower(),
            when=format_datetime_sv(row.signed_at), who=row.signed_by)
        dialog = ProposalDialog(window.ops, window.actor, row.item_id, child_name=row.child_name,
                                violence=row.violence, prefill=decision_values(decision),
                                notice=notice, corrects_id=decision.id, parent=window)
        dialog.sig_proposed.connect(lambda _id: window.statusBar().showMessage(
            self.tr("Rättelsen är skickad för signering."), 10000))
        show_dialog(self, "correction_dialog", dialog)


def install_action(window) -> CorrectionAction | None:  # type: ignore[no-untyped-def]
    if not allowed(window.actor.roles, Action.PROPOSE_DECISION):
        return None
    return CorrectionAction(window)
