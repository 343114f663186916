"""Actions on the selected queue item that belong to no other area: assigning it (a whole
mass-report group at once) and handing it over after a signed decision."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMessageBox

from mottagning.access.users import UserInfo, list_users
from mottagning.assessment.sharing import items_sharing_candidates, share_assessment
from mottagning.queue.items import assign_items, claim_item, hand_over_item
from mottagning.queue.listing import list_child_items
from mottagning.rules.permissions import Action, Role, allowed
from mottagning.rules.status import Status


class ItemActions(QObject):
    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window = window
        self.claim = QAction(self.tr("&Jag tar den"), window)
        self.claim.setShortcut(QKeySequence("Ctrl+J"))
        self.claim.setToolTip(self.tr("Bli handläggare för det markerade ärendet (Ctrl+J)"))
        self.claim.triggered.connect(lambda: self.claim_selected())
        self.mine = QAction(self.tr("&Mina ärenden"), window)
        self.mine.setCheckable(True)
        self.mine.setShortcut(QKeySequence("Ctrl+M"))
        self.mine.setToolTip(self.tr("Visa bara ärenden där du är handläggare (Ctrl+M)"))
        self.mine.toggled.connect(self._show_mine)
        self.assign = QAction(self.tr("&Tilldela handläggare…"), window)
        self.assign.setShortcut(QKeySequence("Ctrl+T"))
        self.assign.triggered.connect(lambda: self.choose_assignee())
        self.share = QAction(self.tr("Samma skyddsbedömning för barnets övriga nya anmälningar…"),
                             window)
        self.share.triggered.connect(lambda: self.choose_share())
        self.hand_over = QAction(self.tr("Avsluta i mottagningen (beslutet är signerat)…"), window)
        self.hand_over.setEnabled(False)
        self.hand_over.triggered.connect(self.confirm_hand_over)
        if allowed(window.actor.roles, Action.ASSESS):
            window.menu(self.tr("Ä&rende")).addAction(self.claim)
            window.menu(self.tr("Ä&rende")).addAction(self.mine)
            window.add_queue_actions([self.claim, self.mine], toolbar=True)
            window.add_queue_actions([self.assign])
            window.menu(self.tr("Ä&rende")).addAction(self.assign)
            window.menu(self.tr("Ä&rende")).addAction(self.share)
        if allowed(window.actor.roles, Action.PROPOSE_DECISION):
            window.menu(self.tr("Ä&rende")).addAction(self.hand_over)
        window.sig_current_item_changed.connect(lambda _id: self._update())
        window.model.sig_loaded.connect(self._update)

    def _update(self) -> None:
        row = self._window.selected_row()
        self.hand_over.setEnabled(row is not None and row.status == Status.DECISION_SIGNED)
        self.assign.setEnabled(row is not None)
        self.claim.setEnabled(row is not None and row.assigned_to != self._window.actor.full_name)
        self.share.setEnabled(row is not None)

    def claim_selected(self) -> None:
        """"Jag tar den": a colleague's claim a moment earlier is refused with their name."""
        row = self._window.selected_row()
        if row is None:
            return
        actor, item_id = self._window.actor, row.id
        self._window.ops.mutate(lambda session: claim_item(session, actor, item_id))

    def _show_mine(self, mine: bool) -> None:
        self._window.model.set_assigned_filter(self._window.actor.user_id if mine else None)

    def choose_assignee(self) -> None:
        if self._window.selected_row() is not None:
            self._window.ops.query(lambda session: list_users(session), success=self._ask_assignee)

    def _ask_assignee(self, users: list[UserInfo]) -> None:
        row = self._window.selected_row()
        if row is None:
            return
        caseworkers = [u for u in users if u.active and {Role.WORKER, Role.SENIOR} & set(u.roles)]
        names = [self.tr("Ej tilldelad")] + [u.full_name for u in caseworkers]
        name, ok = QInputDialog.getItem(self._window, self.tr("Tilldela handläggare"),
                                        self.tr("Handläggare för {child}:").format(child=row.child_name),
                                        names, 0, False)
        if not ok:
            return
        chosen = next((u.id for u in caseworkers if u.full_name == name), None)
        whole_group = row.group_size > 1 and QMessageBox.question(
            self._window, self.tr("Tilldela handläggare"),
            self.tr("{child} har {n} öppna ärenden. Tilldela alla?").format(
                child=row.child_name, n=row.group_size)) == QMessageBox.StandardButton.Yes
        self.assign_to(chosen, whole_group=whole_group)

    def assign_to(self, user_id: int | None, *, whole_group: bool) -> None:
        """Assign the selected item, or every open item of its child (one audit event each)."""
        row = self._window.selected_row()
        if row is None:
            return
        actor, item_id, child_id = self._window.actor, row.id, row.child_id

        def assign(session):  # type: ignore[no-untyped-def]
            ids = [r.id for r in list_child_items(session, actor, child_id)] if whole_group else [item_id]
            return assign_items(session, actor, ids, user_id)

        self._window.ops.mutate(assign)

    def choose_share(self, *, ask: bool = True) -> None:
        """In a burst of reports about one child: let the finished skyddsbedömning count for
        the child's other received reports (each keeps its own record and audit event)."""
        row = self._window.selected_row()
        if row is None:
            return
        actor, item_id = self._window.actor, row.id
        self._window.ops.query(lambda session: items_sharing_candidates(session, actor, item_id),
                               success=lambda found: self._confirm_share(row, *found, ask=ask))

    def _confirm_share(self, row, assessment_id, waiting, *, ask: bool) -> None:  # type: ignore[no-untyped-def]
        if assessment_id is None or not waiting:
            QMessageBox.information(self._window, self.tr("Samma skyddsbedömning"), self.tr(
                "{child} har ingen avslutad skyddsbedömning att använda, eller inga nya "
                "anmälningar som väntar på en.").format(child=row.child_name))
            return
        if ask and QMessageBox.question(
                self._window, self.tr("Samma skyddsbedömning"),
                self.tr("Låta den avslutade skyddsbedömningen gälla även för {child}s {n} "
                        "nya anmälningar? Varje anmälan behåller sina egna tidsfrister.").format(
                    child=row.child_name, n=len(waiting))) != QMessageBox.StandardButton.Yes:
            return
        actor = self._window.actor
        self._window.ops.mutate(lambda session: share_assessment(session, actor, assessment_id, waiting))

    def confirm_hand_over(self, *, ask: bool = True) -> None:
        row = self._window.selected_row()
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
