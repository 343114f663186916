""""Att signera": proposals awaiting a second reviewer's signature, most urgent first.

Selecting one shows side by side the report verbatim with the skyddsbedömning, the child's
history, and the proposal. Signing and returning go through the decision services, which
enforce the four-eyes rule, the delegation and the version the reviewer saw. Requests for
more time (synnerliga skäl) wait in their own list and are signed or returned the same way;
a correction of a signed decision says which decision it corrects and why. Workers see their
own returned proposals ("Mina återsända") with the reviewer's comment; Enter or a double-click
opens one in the proposal form, prefilled, to propose again.

Skyddsbedömningar finished below the red-flag floor wait here too for their second
signature. Nothing is opened (an audited read) unless the reviewer chooses it: a refresh
after signing or returning leaves the choice to them. A senior's own proposals are listed
apart, since somebody else must sign them, and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.signature import signature_method
from mottagning.assessment.awaiting import (
    SecondSignatureRow,
    list_awaiting_second_signature,
)
from mottagning.assessment.summary import assessment_summary
from mottagning.context import Actor, Changes
from mottagning.decisions.delegation import outcome_label
from mottagning.decisions.extensions import (
    extension_phrase,
    return_extension,
    sign_extension,
)
from mottagning.decisions.proposals import return_decision, sign_decision
from mottagning.decisions.views import (
    DecisionRow,
    ExtensionRow,
    ProposalDetail,
    list_awaiting,
    list_awaiting_extensions,
    my_returned,
    open_proposal,
)
from mottagning.queue.listing import ItemDetail, open_item
from mottagning.rules.deadlines import applicable_decision_due, seconds_left
from mottagning.rules.permissions import Action, allowed
from mottagning.timeutil import format_date_sv, format_datetime_sv, format_duration_sv, utc_now
from ui.decisions.proposal_dialog import ProposalDialog, decision_values, show_dialog
from ui.decisions.signoff_assessments import SecondSignatureList
from ui.decisions.signoff_dialogs import ReturnDialog, SignatureDialog
from ui.decisions.signoff_parts import (
    ChoiceList,
    box,
    case_text,
    extension_text,
    history_rows,
    proposal_text,
    reader,
)
from ui.operations import Operations

ID_ROLE = Qt.ItemDataRole.UserRole


class SignoffPane(QWidget):
    sig_count_changed = Signal(int)

    def __init__(self, ops: Operations, actor: Actor, *,
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self._clock = ops, actor, clock
        self.can_sign = allowed(actor.roles, Action.SIGN_DECISION)
        self.detail: ProposalDetail | None = None
        self.signature_dialog: QDialog | None = None
        self.return_dialog: QDialog | None = None
        self.proposal_dialog: ProposalDialog | None = None
        self.rows: list[DecisionRow] = []
        self.extension_rows: list[ExtensionRow] = []
        self.extension: ExtensionRow | None = None
        self.second_signature_rows: list[SecondSignatureRow] = []
        self.assessment_screen: QWidget | None = None
        self._method = "phrase"

        self.list = ChoiceList()
        self.list.setObjectName("awaiting")
        self.list.setSpacing(2)
        self.list.currentItemChanged.connect(self._on_current)
        self.extensions = ChoiceList()
        self.extensions.setObjectName("extensions")
        self.extensions.setSpacing(2)
        self.extensions.currentItemChanged.connect(self._on_extension)
        self.returned = QListWidget()
        self.returned.setObjectName("returned")
        self.returned.setWordWrap(True)
        self.returned.setSpacing(3)
        self.returned.setToolTip(self.tr("Enter eller dubbelklick öppnar förslaget igen, ifyllt."))
        self.returned.itemActivated.connect(self._reopen_returned)
        self.second_signatures = SecondSignatureList()
        self.second_signatures.sig_open.connect(self.open_assessment)
        self.own = QListWidget()
        self.own.setObjectName("ownProposals")
        self.own.setSpacing(2)
        self.own.setAccessibleName(self.tr("Dina förslag, väntar på en annan granskare"))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        if self.can_sign:
            left_layout.addWidget(QLabel(self.tr("<b>Väntar på din signatur</b> (mest brådskande först)")))
            left_layout.addWidget(self.list, 3)
            left_layout.addWidget(QLabel(self.tr("<b>Skyddsbedömningar som väntar på andra signatur</b>")))
            left_layout.addWidget(self.second_signatures, 2)
            left_layout.addWidget(QLabel(self.tr("<b>Förlängningar att signera</b> (synnerliga skäl)")))
            left_layout.addWidget(self.extensions, 1)
            left_layout.addWidget(QLabel(self.tr("<b>Dina förslag, väntar på en annan granskare</b>")))
            left_layout.addWidget(self.own, 1)
        left_layout.addWidget(QLabel(self.tr("<b>Mina återsända förslag</b> (Enter: öppna och skicka igen)")))
        left_layout.addWidget(self.returned, 1)

        self.report = reader("reportText")
        self.history = QTreeWidget()
        self.history.setObjectName("history")
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([self.tr("Inkom"), self.tr("Oro"), self.tr("Status")])
        self.proposal = reader("proposalText")
        self.violence = QCheckBox(self.tr("Jag har sett att anmälan gäller våld och tagit ställning till det"))
        self.violence.setObjectName("violenceAck")
        self.violence.toggled.connect(self._update_buttons)
        self.notice = QLabel(wordWrap=True)
        self.sign_button = QPushButton(self.tr("&Signera…"))
        self.sign_button.clicked.connect(self.sign)
        # Alt+K, not Alt+Å: typeable on any keyboard layout
        self.return_button = QPushButton(self.tr("Återsänd med &kommentar…"))
        self.return_button.setToolTip(self.tr("Återsänd förslaget med en kommentar (Alt+K)"))
        self.return_button.clicked.connect(self.return_proposal)
        proposal_side = QWidget()
        proposal_layout = QVBoxLayout(proposal_side)
        proposal_layout.setContentsMargins(0, 0, 0, 0)
        proposal_layout.addWidget(self.proposal)
        proposal_layout.addWidget(self.violence)
        proposal_layout.addWidget(self.notice)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.return_button)
        proposal_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(box(self.tr("Anmälan och skyddsbedömning"), self.report))
        splitter.addWidget(box(self.tr("Barnets historik"), self.history))
        splitter.addWidget(box(self.tr("Förslaget"), proposal_side))
        splitter.setSizes([330, 420, 300, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._clear()

    # -- loading -----------------------------------------------------------------

    def refresh(self) -> None:
        actor, now, can_sign = self._actor, self._clock(), self.can_sign

        def load(session):  # type: ignore[no-untyped-def]
            awaiting = list_awaiting(session, actor, now=now) if can_sign else []
            extensions = list_awaiting_extensions(session, actor) if can_sign else []
            second = list_awaiting_second_signature(session, actor) if can_sign else []
            return (awaiting, extensions, second, my_returned(session, actor),
                    signature_method(session, actor))

        self._ops.query(load, success=self._loaded)

    def _loaded(self, result: tuple[list[DecisionRow], list[ExtensionRow], list[SecondSignatureRow],
                                    list[DecisionRow], str]) -> None:
        everything, extensions, second, returned, self._method = result
        actor = self._actor
        awaiting = [row for row in everything if row.proposed_by_id != actor.user_id]
        own = [row for row in everything if row.proposed_by_id == actor.user_id]
        current, current_extension = self.current_id(), self.current_extension_id()
        self.rows, self.extension_rows = awaiting, extensions
        self.second_signature_rows = second
        now = self._clock()
        self.list.blockSignals(True)
        self.list.clear()
        for row in awaiting:
            left = seconds_left(row.effective_due, now)
            if row.corrects_decision_id is not None:
                # the decision itself was made; a correction has no deadline of its own
                when, late = self.tr("RÄTTELSE av beslut {id}").format(id=row.corrects_decision_id), False
            else:
                when, late = (self.tr("FÖRSENAT {d}") if left < 0 else self.tr("{d} kvar")).format(
                    d=format_duration_sv(abs(left))), left < 0
            prefix = self.tr("AKUT · ") if row.urgent else ""
            violence = self.tr(" · Våld") if row.violence else ""
            item = QListWidgetItem(f"{prefix}{row.child_name} – {outcome_label(row.outcome)}{violence}\n"
                                   f"{when} · {self.tr('föreslaget av')} {row.proposed_by}")
            item.setData(ID_ROLE, row.id)
            if row.urgent or late:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
            if row.id == current:  # keep the choice without opening the case again
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.second_signatures.show_rows([row for row in second if not row.own(actor)], now)
        self._show_own(own, [row for row in second if row.own(actor)])
        self.extensions.blockSignals(True)
        self.extensions.clear()
        for extension in extensions:
            passed = extension.original_due < now
            item = QListWidgetItem(self.tr("{child} – förlängd tid till {new}\n"
                                           "frist {original}{passed} · begärd av {who}").format(
                child=extension.child_name, new=format_date_sv(extension.new_due),
                original=format_date_sv(extension.original_due), who=extension.requested_by,
                passed=self.tr(" (passerad)") if passed else ""))
            item.setData(ID_ROLE, extension.id)
            if passed:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.extensions.addItem(item)
            if extension.id == current_extension:
                self.extensions.setCurrentItem(item)
        self.extensions.blockSignals(False)
        self.returned.clear()
        for row in returned:
            item = QListWidgetItem(self.tr("{child} – {outcome}\nÅtersänt av {who}: {comment}").format(
                child=row.child_name, outcome=outcome_label(row.outcome), who=row.returned_by,
                comment=row.return_comment))
            item.setData(ID_ROLE, row.id)
            self.returned.addItem(item)
        self.sig_count_changed.emit(
            len(awaiting) + sum(1 for e in extensions if e.requested_by_id != actor.user_id)
            + sum(1 for row in second if not row.own(actor)))
        # What was shown and is gone (signed, returned) leaves an empty side: the next case
        # is opened only when the reviewer chooses it.
        shown_gone = (self.detail is not None and self.current_id() is None) or (
            self.extension is not None and self.current_extension_id() is None)
        if shown_gone:
            self._clear()

    def _show_own(self, proposals: list[DecisionRow], assessments: list[SecondSignatureRow]) -> None:
        self.own.clear()
        for row in proposals:
            self.own.addItem(self.tr("{child} – {outcome}\nföreslaget {when}").format(
                child=row.child_name, outcome=outcome_label(row.outcome),
                when=format_datetime_sv(row.proposed_at)))
        for row in assessments:
            self.own.addItem(self.tr("{child} – skyddsbedömning under röda flaggornas nivå\n"
                                     "gjord {when}").format(child=row.child_name,
                                                            when=format_datetime_sv(row.finished_at)))

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def current_extension_id(self) -> int | None:
        item = self.extensions.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            if self.current_extension_id() is None:
                self._clear()
            return
        self._deselect(self.extensions)
        if self.extension is not None:  # the buttons must not act on the request any more
            self._clear()
        decision_id, actor = int(current.data(ID_ROLE)), self._actor
        self._ops.query(lambda session: open_proposal(session, actor, decision_id),
                        success=self._show)

    def _on_extension(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            if self.current_id() is None:
                self._clear()
            return
        self._deselect(self.list)
        extension_id = int(current.data(ID_ROLE))
        extension = next(e for e in self.extension_rows if e.id == extension_id)
        self._clear()
        self.extension = extension
        self.proposal.setPlainText(extension_text(extension))
        self._update_buttons()
        actor, now, item_id = self._actor, self._clock(), extension.item_id
        # the reviewer weighs the reasons against the case itself (an audited read)
        self._ops.query(lambda session: (open_item(session, actor, item_id, now=now),
                                         assessment_summary(session, actor, item_id, now=now)),
                        success=lambda result: self._show_extension_case(extension_id, *result))

    def _deselect(self, other: QListWidget) -> None:
        """One thing is shown at a time: selecting in one list clears the other."""
        other.blockSignals(True)
        other.setCurrentRow(-1)
        other.blockSignals(False)

    def _show_extension_case(self, extension_id: int, item: ItemDetail, assessment: str | None) -> None:
        if self.extension is None or self.extension.id != extension_id:
            return
        self._show_case(item, assessment)
        self.proposal.setPlainText(extension_text(
            self.extension, applicable_decision_due(item.row.decision_due, item.row.decision_due_extended)))

    # -- rendering ---------------------------------------------------------------

    def _clear(self) -> None:
        self.detail = None
        self.extension = None
        self.report.setPlainText(self.tr("Välj ett förslag i listan."))
        self.history.clear()
        self.proposal.clear()
        self.violence.hide()
        self.notice.clear()
        self._update_buttons()

    def _show(self, detail: ProposalDetail) -> None:
        if detail.decision.id != self.current_id():
            return
        self.detail = detail
        self._show_case(detail.item, detail.assessment)
        self.proposal.setPlainText(proposal_text(detail))
        self.violence.setChecked(False)
        self.violence.setVisible("violence" in detail.item.row.flags)
        if detail.own_proposal:
            self.notice.setText(self.tr("Det här är ditt eget förslag. En annan granskare måste signera det."))
        elif not detail.has_delegation:
            self.notice.setText(self.tr("Du har inte delegation för det här slaget av beslut."))
        else:
            self.notice.setText("")
        self._update_buttons()

    def _show_case(self, item: ItemDetail, assessment: str | None) -> None:
        self.report.setPlainText(case_text(item, assessment))
        self.history.clear()
        for columns in history_rows(item):
            self.history.addTopLevelItem(QTreeWidgetItem(columns))

    def _update_buttons(self) -> None:
        if self.extension is not None:
            own = self.extension.requested_by_id == self._actor.user_id
            self.notice.setText(self.tr("Det här är din egen begäran. En annan granskare måste signera den.")
                                if own else "")
            self.sign_button.setEnabled(not own)
            self.return_button.setEnabled(not own)
            return
        detail = self.detail
        usable = detail is not None and not detail.own_proposal
        needs_ack = detail is not None and "violence" in detail.item.row.flags
        self.sign_button.setEnabled(bool(usable and detail.has_delegation
                                         and (not needs_ack or self.violence.isChecked())))
        self.return_button.setEnabled(bool(usable))

    # -- actions -----------------------------------------------------------------

    def sign(self) -> None:
        if self.extension is not None:
            self._sign_extension(self.extension)
            return
        detail = self.detail
        if detail is None:
            return
        summary = self.tr("Du signerar beslutet ”{outcome}” för {child}.").format(
            outcome=outcome_label(detail.decision.outcome).lower(), child=detail.item.row.child_name)
        row = detail.item.row
        due = applicable_decision_due(row.decision_due, row.decision_due_extended)
        late_notice = None
        if (self._clock() > due and not detail.decision.overrun_reason
                and detail.decision.corrects_decision_id is None):
            late_notice = self.tr("Tidsfristen gick ut {due}. Beslutet signeras ändå; skriv orsaken "
                                  "till att det dröjt (krävs):").format(due=format_date_sv(due))
        dialog = SignatureDialog(method=detail.method, phrase=detail.phrase, summary=summary,
                                 late_notice=late_notice, parent=self)
        decision_id, version = detail.decision.id, detail.decision.version

        def signed() -> None:
            secret, actor, acknowledged = dialog.secret.text(), self._actor, self.violence.isChecked()
            reason, now = dialog.reason_text(), self._clock()
            self._ops.mutate(
                lambda session: sign_decision(session, actor, decision_id, secret=secret,
                                              expected_version=version,
                                              violence_acknowledged=acknowledged,
                                              overrun_reason=reason, now=now),
                success=lambda _result: self.refresh(), initiator=self)

        self._open_dialog(dialog, "signature_dialog", signed)

    def _sign_extension(self, extension: ExtensionRow) -> None:
        summary = self.tr("Du signerar att tiden för beslut om {child} förlängs från {original} till {new}.").format(
            child=extension.child_name, original=format_date_sv(extension.original_due),
            new=format_date_sv(extension.new_due))
        dialog = SignatureDialog(method=self._method, phrase=extension_phrase(extension.new_due),
                                 summary=summary, parent=self)
        extension_id, version = extension.id, extension.version

        def signed() -> None:
            secret, actor, now = dialog.secret.text(), self._actor, self._clock()
            self._ops.mutate(
                lambda session: sign_extension(session, actor, extension_id, secret=secret,
                                               expected_version=version, now=now),
                success=lambda _result: self.refresh(), initiator=self)

        self._open_dialog(dialog, "signature_dialog", signed)

    def return_proposal(self) -> None:
        if self.extension is not None:
            self._return_extension(self.extension)
            return
        detail = self.detail
        if detail is None:
            return
        dialog = ReturnDialog(self)
        decision_id, version = detail.decision.id, detail.decision.version

        def returned() -> None:
            comment, actor = dialog.comment.toPlainText(), self._actor
            self._ops.mutate(
                lambda session: return_decision(session, actor, decision_id, comment=comment,
                                                expected_version=version),
                success=lambda _result: self.refresh(), initiator=self)

        self._open_dialog(dialog, "return_dialog", returned)

    def _return_extension(self, extension: ExtensionRow) -> None:
        dialog = ReturnDialog(self)
        dialog.setWindowTitle(self.tr("Återsänd begäran om förlängning"))
        extension_id, version = extension.id, extension.version

        def returned() -> None:
            comment, actor = dialog.comment.toPlainText(), self._actor
            self._ops.mutate(
                lambda session: return_extension(session, actor, extension_id, comment=comment,
                                                 expected_version=version),
                success=lambda _result: self.refresh(), initiator=self)

        self._open_dialog(dialog, "return_dialog", returned)

    def _reopen_returned(self, list_item: QListWidgetItem) -> None:
        """Open a returned proposal in the form, prefilled, so nothing is typed twice."""
        decision_id, actor = int(list_item.data(ID_ROLE)), self._actor
        self._ops.query(lambda session: open_proposal(session, actor, decision_id),
                        success=self._open_returned)

    def _open_returned(self, detail: ProposalDetail) -> None:
        row = detail.row
        notice = self.tr("Återsänt {when} av {who}:\n{comment}\n\nÄndra förslaget och skicka det "
                         "igen; det ersätter det återsända.").format(
            when=format_datetime_sv(detail.decision.returned_at), who=row.returned_by,
            comment=row.return_comment)
        dialog = ProposalDialog(self._ops, self._actor, row.item_id, child_name=row.child_name,
                                violence=row.violence, prefill=decision_values(detail.decision),
                                notice=notice, parent=self)
        show_dialog(self, "proposal_dialog", dialog, self.refresh)

    def _open_dialog(self, dialog: QDialog, name: str, on_accept) -> None:  # type: ignore[no-untyped-def]
        """Window-modal, without a nested event loop; the dialog is deleted when done."""
        show_dialog(self, name, dialog, on_accept)

    def open_assessment(self, item_id: int) -> None:
        """Open the chosen skyddsbedömning (an audited read) where it can be second-signed."""
        from ui.assessment.screen import open_assessment  # a window of the assessment area

        self.assessment_screen = open_assessment(self.window(), self._ops, self._actor, item_id,
                                                 clock=self._clock)

    def on_changes(self, changes: Changes, initiator: object | None = None) -> None:
        if initiator is self:  # refreshed in its own success callback already
            return
        # a finished or second-signed skyddsbedömning changes the queue, not the decisions
        if changes.decisions or changes.queue:
            self.refresh()


@dataclass(frozen=True)
class DecisionsArea:
    """What the decisions area adds to the main window."""

    pane: SignoffPane
    propose_action: QAction
    extension_action: Any
    correction_action: Any


def install(window) -> DecisionsArea | None:  # type: ignore[no-untyped-def]
    """Add the pane to the main window, with its count in the tab title, and the actions
    on the queue's selected item: "Föreslå beslut…", "Begär förlängd tid…", "Rätta beslut…"."""
    from ui.decisions.correction_dialog import install_action as install_correction
    from ui.decisions.extension_dialog import install_action as install_extension
    from ui.decisions.proposal_dialog import install_action

    actor = window.actor
    if not allowed(actor.roles, Action.PROPOSE_DECISION):
        return None
    pane = SignoffPane(window.ops, actor, clock=window._clock)
    title = window.tr("Att signera") if pane.can_sign else window.tr("Mina återsända")
    index = window.add_page(title, pane)
    pane.sig_count_changed.connect(
        lambda n: window.pages.setTabText(index, f"{title} ({n})" if n else title))
    window.ops.sig_operation_executed.connect(pane.on_changes)
    area = DecisionsArea(pane, install_action(window), install_extension(window),
                         install_correction(window))
    pane.refresh()
    return area
