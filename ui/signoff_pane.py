""""Att signera": proposals awaiting a second reviewer's signature, most urgent first.

Selecting one shows side by side the report verbatim with the skyddsbedömning, the child's
history, and the proposal. Signing and returning go through the decision services, which
enforce the four-eyes rule, the delegation and the version the reviewer saw. Workers see
their own returned proposals ("Mina återsända") with the reviewer's comment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.codes import concern_label
from mottagning.rules.deadlines import seconds_left
from mottagning.rules.permissions import Action, allowed
from mottagning.rules.status import label
from mottagning.services.context import Actor, Changes
from mottagning.services.decision_rules import outcome_label
from mottagning.services.decision_views import (
    DecisionRow,
    ProposalDetail,
    list_awaiting,
    my_returned,
    open_proposal,
)
from mottagning.services.decisions import return_decision, sign_decision
from mottagning.timeutil import format_date_sv, format_datetime_sv, format_duration_sv, utc_now
from ui.operations import Operations
from ui.signoff_dialogs import ReturnDialog, SignatureDialog

ID_ROLE = Qt.ItemDataRole.UserRole


def _box(title: str, widget: QWidget) -> QWidget:
    frame = QWidget()
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(4, 0, 4, 0)
    heading = QLabel(f"<b>{title}</b>")
    layout.addWidget(heading)
    layout.addWidget(widget)
    return frame


def _reader(object_name: str) -> QPlainTextEdit:
    text = QPlainTextEdit(readOnly=True)
    text.setObjectName(object_name)
    text.setTabChangesFocus(True)
    return text


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
        self.rows: list[DecisionRow] = []

        self.list = QListWidget()
        self.list.setObjectName("awaiting")
        self.list.setSpacing(2)
        self.list.currentItemChanged.connect(self._on_current)
        self.returned = QListWidget()
        self.returned.setObjectName("returned")
        self.returned.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        if self.can_sign:
            left_layout.addWidget(QLabel(self.tr("<b>Väntar på din signatur</b> (mest brådskande först)")))
            left_layout.addWidget(self.list, 3)
        left_layout.addWidget(QLabel(self.tr("<b>Mina återsända förslag</b>")))
        left_layout.addWidget(self.returned, 1)

        self.report = _reader("reportText")
        self.history = QTreeWidget()
        self.history.setObjectName("history")
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels([self.tr("Inkom"), self.tr("Oro"), self.tr("Status")])
        self.proposal = _reader("proposalText")
        self.violence = QCheckBox(self.tr("Jag har sett att anmälan gäller våld och tagit ställning till det"))
        self.violence.setObjectName("violenceAck")
        self.violence.toggled.connect(self._update_buttons)
        self.notice = QLabel(wordWrap=True)
        self.sign_button = QPushButton(self.tr("&Signera…"))
        self.sign_button.clicked.connect(self.sign)
        self.return_button = QPushButton(self.tr("&Återsänd med kommentar…"))
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
        splitter.addWidget(_box(self.tr("Anmälan och skyddsbedömning"), self.report))
        splitter.addWidget(_box(self.tr("Barnets historik"), self.history))
        splitter.addWidget(_box(self.tr("Förslaget"), proposal_side))
        splitter.setSizes([330, 420, 300, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._clear()

    # -- loading -----------------------------------------------------------------

    def refresh(self) -> None:
        actor, now, can_sign = self._actor, self._clock(), self.can_sign

        def load(session):  # type: ignore[no-untyped-def]
            awaiting = list_awaiting(session, actor, now=now) if can_sign else []
            return awaiting, my_returned(session, actor)

        self._ops.query(load, success=self._loaded)

    def _loaded(self, result: tuple[list[DecisionRow], list[DecisionRow]]) -> None:
        awaiting, returned = result
        current = self.current_id()
        self.rows = awaiting
        now = self._clock()
        self.list.blockSignals(True)
        self.list.clear()
        for row in awaiting:
            left = seconds_left(row.effective_due, now)
            when = (self.tr("FÖRSENAT {d}") if left < 0 else self.tr("{d} kvar")).format(
                d=format_duration_sv(abs(left)))
            prefix = self.tr("AKUT · ") if row.urgent else ""
            violence = self.tr(" · Våld") if row.violence else ""
            item = QListWidgetItem(f"{prefix}{row.child_name} – {outcome_label(row.outcome)}{violence}\n"
                                   f"{when} · {self.tr('föreslaget av')} {row.proposed_by}")
            item.setData(ID_ROLE, row.id)
            if row.urgent or left < 0:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.returned.clear()
        for row in returned:
            self.returned.addItem(self.tr("{child} – {outcome}\nÅtersänt av {who}: {comment}").format(
                child=row.child_name, outcome=outcome_label(row.outcome), who=row.returned_by,
                comment=row.return_comment))
        self.sig_count_changed.emit(len(awaiting))
        ids = [r.id for r in awaiting]
        if ids:
            self.list.setCurrentRow(ids.index(current) if current in ids else 0)
        else:
            self._clear()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is None:
            self._clear()
            return
        decision_id, actor = int(current.data(ID_ROLE)), self._actor
        self._ops.query(lambda session: open_proposal(session, actor, decision_id),
                        success=self._show)

    # -- rendering ---------------------------------------------------------------

    def _clear(self) -> None:
        self.detail = None
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
        item = detail.item
        assessment = detail.assessment or self.tr("Ingen skyddsbedömning registrerad.")
        self.report.setPlainText(
            self.tr("{child}, inkom {when}\n\n{text}\n\n— Skyddsbedömning —\n{assessment}").format(
                child=item.row.child_name, when=format_datetime_sv(item.row.received_at),
                text=item.description, assessment=assessment))
        self.history.clear()
        for entry in item.history.entries:
            self.history.addTopLevelItem(QTreeWidgetItem([
                format_date_sv(entry.received_at),
                ", ".join(concern_label(c) for c in entry.concern_codes),
                label(entry.status) + (f" – {outcome_label(entry.outcome)}" if entry.outcome else ""),
            ]))
        self.proposal.setPlainText(self._proposal_text(detail))
        self.violence.setChecked(False)
        self.violence.setVisible("violence" in item.row.flags)
        if detail.own_proposal:
            self.notice.setText(self.tr("Det här är ditt eget förslag. En annan granskare måste signera det."))
        elif not detail.has_delegation:
            self.notice.setText(self.tr("Du har inte delegation för det här slaget av beslut."))
        else:
            self.notice.setText("")
        self._update_buttons()

    def _proposal_text(self, detail: ProposalDetail) -> str:
        d, row = detail.decision, detail.row
        lines = [outcome_label(d.outcome).upper() + (self.tr("  (AKUT)") if d.urgent else ""),
                 self.tr("Föreslaget av {who}, {when}").format(who=row.proposed_by,
                                                              when=format_datetime_sv(d.proposed_at))]
        due = self.tr("Beslut senast {date}").format(date=format_date_sv(row.decision_due))
        if row.decision_due_extended:
            due += self.tr(" – förlängt till {date}").format(date=format_date_sv(row.decision_due_extended))
        lines.append(due)
        if detail.corrects is not None:
            lines.append(self.tr("Rättelse av beslut {id}: {reason}").format(
                id=detail.corrects.id, reason=d.correction_reason))
        if d.open_support_offered is not None:
            lines.append(self.tr("Öppna insatser utan behovsprövning erbjuds: {v}").format(
                v=self.tr("ja") if d.open_support_offered else self.tr("nej")))
        if d.guardians_to_be_informed is not None:
            lines.append(self.tr("Vårdnadshavarna underrättas: {v}").format(
                v=self.tr("ja") if d.guardians_to_be_informed else self.tr("nej")))
        if d.ongoing_investigation:
            lines.append(self.tr("Pågående utredning: {v}").format(v=d.ongoing_investigation))
        if d.forward_municipality:
            lines.append(self.tr("Vidarebefordras till: {v}").format(v=d.forward_municipality))
        lines += ["", self.tr("Motivering:"), d.motivation]
        if d.violence_reason:
            lines += ["", self.tr("Skäl trots våldsuppgifter:"), d.violence_reason]
        if d.overrun_reason:
            lines += ["", self.tr("Orsak till att fristen överskridits:"), d.overrun_reason]
        if d.notes or d.contacts:
            lines += ["", self.tr("Förhandsbedömningen:")]
            lines += [f"• {c['when']} {c['with']}: {c.get('note', '')}".rstrip(": ") for c in d.contacts]
            if d.notes:
                lines.append(d.notes)
        return "\n".join(lines)

    def _update_buttons(self) -> None:
        detail = self.detail
        usable = detail is not None and not detail.own_proposal
        needs_ack = detail is not None and "violence" in detail.item.row.flags
        self.sign_button.setEnabled(bool(usable and detail.has_delegation
                                         and (not needs_ack or self.violence.isChecked())))
        self.return_button.setEnabled(bool(usable))

    # -- actions -----------------------------------------------------------------

    def sign(self) -> None:
        detail = self.detail
        if detail is None:
            return
        summary = self.tr("Du signerar beslutet ”{outcome}” för {child}.").format(
            outcome=outcome_label(detail.decision.outcome).lower(), child=detail.item.row.child_name)
        dialog = SignatureDialog(method=detail.method, phrase=detail.phrase, summary=summary, parent=self)
        decision_id, version = detail.decision.id, detail.decision.version

        def signed() -> None:
            secret, actor, acknowledged = dialog.secret.text(), self._actor, self.violence.isChecked()
            self._ops.mutate(
                lambda session: sign_decision(session, actor, decision_id, secret=secret,
                                              expected_version=version,
                                              violence_acknowledged=acknowledged),
                success=lambda _result: self.refresh())

        self._open_dialog(dialog, "signature_dialog", signed)

    def return_proposal(self) -> None:
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
                success=lambda _result: self.refresh())

        self._open_dialog(dialog, "return_dialog", returned)

    def _open_dialog(self, dialog: QDialog, name: str, on_accept) -> None:  # type: ignore[no-untyped-def]
        """Window-modal, without a nested event loop; the dialog is deleted when done."""
        setattr(self, name, dialog)
        dialog.accepted.connect(on_accept)

        def finished(_result: int) -> None:
            setattr(self, name, None)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def on_changes(self, changes: Changes) -> None:
        if changes.decisions:
            self.refresh()


def install(window) -> SignoffPane | None:  # type: ignore[no-untyped-def]
    """Add the pane to the main window, with its count in the tab title, and the
    "Föreslå beslut…" action on the queue's selected item."""
    from ui.proposal_dialog import install_action

    actor = window.actor
    if not allowed(actor.roles, Action.PROPOSE_DECISION):
        return None
    pane = SignoffPane(window.ops, actor)
    title = window.tr("Att signera") if pane.can_sign else window.tr("Mina återsända")
    index = window.add_page(title, pane)
    pane.sig_count_changed.connect(
        lambda n: window.pages.setTabText(index, f"{title} ({n})" if n else title))
    window.ops.sig_operation_executed.connect(pane.on_changes)
    install_action(window)
    pane.refresh()
    return pane
