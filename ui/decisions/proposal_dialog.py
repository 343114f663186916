"""The worker's proposal of the decision on one queue item, autosaved while typing.

Opened from the queue ("Föreslå beslut…", Ctrl+2), from a returned proposal (prefilled from
it, the reviewer's comment on top) and as a correction of a signed decision (prefilled, with a
required reason). A draft left by a crash or a closed window is put back into the form; it
wins over the prefill, being newer. Contacts are one per line: "2026-11-20 Mentor: note".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mottagning.access import presence
from mottagning.access.drafts import SavedDraft, discard_draft
from mottagning.context import Actor
from mottagning.decisions.delegation import OUTCOME_LABELS_SV, Outcome
from mottagning.decisions.proposals import (
    DRAFT_KIND,
    Contact,
    ProposalInput,
    draft_key,
    propose_correction,
    propose_decision,
)
from mottagning.errors import ValidationError
from mottagning.models.decisions import Decision
from mottagning.timeutil import format_datetime_sv
from ui.operations import Operations
from ui.widgets.autosave import DraftAutosaver, open_item_draft
from ui.widgets.presence import PresenceLine
from ui.widgets.style import WARNING_BOX
from ui.widgets.window_geometry import fit_window


def parse_contacts(text: str) -> tuple[Contact, ...]:
    """'2026-11-20 Mentor: bekräftade' per line → contacts; a line without a date is refused."""
    contacts = []
    for number, line in enumerate(filter(None, (ln.strip() for ln in text.splitlines())), start=1):
        day, _, rest = line.partition(" ")
        try:
            when = date.fromisoformat(day)
        except ValueError as exc:
            raise ValidationError([f"Kontakt på rad {number}: börja med datum (ÅÅÅÅ-MM-DD)."]) from exc
        with_whom, _, note = rest.partition(":")
        contacts.append(Contact(with_whom.strip(), when, note.strip()))
    return tuple(contacts)


def decision_values(decision: Decision) -> dict[str, Any]:
    """A proposal or decision as the form's fields (the shape `collect` returns)."""
    contacts = [f"{c['when']} {c['with']}" + (f": {c['note']}" if c.get("note") else "")
                for c in decision.contacts]
    return {
        "outcome": decision.outcome, "open_support": bool(decision.open_support_offered),
        "inform": decision.guardians_to_be_informed is not False,
        "ongoing": decision.ongoing_investigation or "",
        "municipality": decision.forward_municipality or "", "motivation": decision.motivation,
        "notes": decision.notes or "", "contacts": "\n".join(contacts),
        "violence_reason": decision.violence_reason or "", "overrun": decision.overrun_reason or "",
    }


def correction_draft_key(item_id: int) -> str:
    return f"{draft_key(item_id)}-correction"


def show_dialog(owner: QObject, name: str, dialog: QDialog,
                on_accept: Callable[[], None] | None = None) -> None:
    """Open `dialog` window-modal without a nested event loop, as `owner.<name>` while it is
    open; it is deleted when it closes."""
    setattr(owner, name, dialog)
    if on_accept is not None:
        dialog.accepted.connect(on_accept)

    def finished(_result: int) -> None:
        if getattr(owner, name, None) is dialog:
            setattr(owner, name, None)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


class ProposalDialog(QDialog):
    sig_proposed = Signal(int)  # decision id

    def __init__(self, ops: Operations, actor: Actor, item_id: int, *, child_name: str,
                 violence: bool, prefill: dict[str, Any] | None = None, notice: str = "",
                 corrects_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self.item_id = ops, actor, item_id
        self.corrects_id = corrects_id
        title = self.tr("Föreslå beslut – {child}") if corrects_id is None else self.tr("Rätta beslut – {child}")
        self.setWindowTitle(title.format(child=child_name))
        self.notice = QLabel(notice, wordWrap=True)
        self.notice.setObjectName("proposalNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setStyleSheet(WARNING_BOX)
        self.notice.setVisible(bool(notice))
        self.correction_reason = QPlainTextEdit()
        self.correction_reason.setObjectName("correctionReason")
        self.correction_reason.setTabChangesFocus(True)
        self.outcome = QComboBox()
        for outcome in Outcome:
            self.outcome.addItem(OUTCOME_LABELS_SV[outcome], outcome.value)
        self.open_support = QCheckBox(self.tr("Öppna insatser utan behovsprövning erbjuds"))
        self.inform = QCheckBox(self.tr("Vårdnadshavarna underrättas om beslutet"))
        self.inform.setChecked(True)
        self.ongoing = QLineEdit()
        self.municipality = QLineEdit()
        self.motivation = QPlainTextEdit()
        self.notes = QPlainTextEdit()
        self.contacts = QPlainTextEdit()
        self.contacts.setPlaceholderText(self.tr("2026-11-20 Mentor: bekräftade uppgifterna"))
        self.violence_reason = QPlainTextEdit()
        self.overrun_reason = QLineEdit()
        for text in (self.motivation, self.notes, self.contacts, self.violence_reason):
            text.setTabChangesFocus(True)
        form = QFormLayout()
        if corrects_id is not None:
            self.correction_reason.setFixedHeight(self.correction_reason.fontMetrics().lineSpacing() * 4 + 12)
            form.addRow(self.tr("&Skäl till rättelsen:"), self.correction_reason)
        form.addRow(self.tr("&Beslut:"), self.outcome)
        form.addRow("", self.open_support)
        form.addRow("", self.inform)
        form.addRow(self.tr("Pågående &utredning:"), self.ongoing)
        form.addRow(self.tr("&Kommun:"), self.municipality)
        form.addRow(self.tr("&Motivering:"), self.motivation)
        form.addRow(self.tr("Kontakter (datum vem: vad):"), self.contacts)
        form.addRow(self.tr("&Anteckningar:"), self.notes)
        self._violence_row = QLabel(self.tr("Skäl trots &våld:"))
        self._violence_row.setBuddy(self.violence_reason)
        form.addRow(self._violence_row, self.violence_reason)
        form.addRow(self.tr("Orsak om fristen passerats:"), self.overrun_reason)
        self.status = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Skicka för signering"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Stäng (utkastet sparas)"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.presence = PresenceLine(
            ops, actor, kind=presence.PROPOSAL, item_id=item_id,
            text=self.tr("{names} redigerar beslutsförslaget för det här ärendet just nu. "
                         "Kom överens om vem som fortsätter innan du skriver."),
            feed=getattr(parent, "change_feed", None))
        layout = QVBoxLayout(self)
        layout.addWidget(self.presence)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._violence = violence
        self.outcome.currentIndexChanged.connect(self._update_fields)
        self._update_fields()
        if prefill:
            self.fill(prefill)
        fit_window(self, "proposal" if corrects_id is None else "correction",
                   QSize(640, 760 if corrects_id is None else 860))

        key = draft_key(item_id) if corrects_id is None else correction_draft_key(item_id)
        self.autosaver = DraftAutosaver(ops, actor, kind=DRAFT_KIND, key=key,
                                        collect=self.collect, parent=self)
        self.autosaver.sig_draft_found.connect(self._restore)
        self.autosaver.sig_saved.connect(
            lambda saved: self.status.setText(self.tr("Utkast sparat {when}").format(
                when=format_datetime_sv(saved.saved_at))))
        for widget in (self.motivation, self.notes, self.contacts, self.violence_reason,
                       self.correction_reason):
            widget.textChanged.connect(self.autosaver.schedule)
        for line in (self.ongoing, self.municipality, self.overrun_reason):
            line.textChanged.connect(self.autosaver.schedule)
        self.outcome.currentIndexChanged.connect(self.autosaver.schedule)
        self.autosaver.check()
        self.presence.start()
        self.finished.connect(lambda _result: self.presence.stop())

    def _update_fields(self) -> None:
        outcome = self.outcome.currentData()
        not_opened = outcome == Outcome.INTE_INLEDA_UTREDNING
        self.open_support.setVisible(not_opened)
        self.inform.setVisible(not_opened)
        self.ongoing.setEnabled(outcome == Outcome.TILLFORS_PAGAENDE_UTREDNING)
        self.municipality.setEnabled(outcome == Outcome.VIDAREBEFORDRAS)
        self.violence_reason.setEnabled(not_opened and self._violence)

    def collect(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.currentData(), "open_support": self.open_support.isChecked(),
            "inform": self.inform.isChecked(), "ongoing": self.ongoing.text(),
            "municipality": self.municipality.text(), "motivation": self.motivation.toPlainText(),
            "notes": self.notes.toPlainText(), "contacts": self.contacts.toPlainText(),
            "violence_reason": self.violence_reason.toPlainText(), "overrun": self.overrun_reason.text(),
            "correction_reason": self.correction_reason.toPlainText(),
        }

    def fill(self, c: dict[str, Any]) -> None:
        """Put `c` (the shape `collect` returns) into the form."""
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(c.get("outcome"))))
        self.open_support.setChecked(bool(c.get("open_support")))
        self.inform.setChecked(bool(c.get("inform", True)))
        self.ongoing.setText(c.get("ongoing", ""))
        self.municipality.setText(c.get("municipality", ""))
        self.motivation.setPlainText(c.get("motivation", ""))
        self.notes.setPlainText(c.get("notes", ""))
        self.contacts.setPlainText(c.get("contacts", ""))
        self.violence_reason.setPlainText(c.get("violence_reason", ""))
        self.overrun_reason.setText(c.get("overrun", ""))
        self.correction_reason.setPlainText(c.get("correction_reason", ""))

    def _restore(self, draft: SavedDraft) -> None:
        self.fill(draft.content)
        self.status.setText(self.tr("Ditt utkast från {when} är återställt.").format(
            when=format_datetime_sv(draft.saved_at)))
        self.autosaver.start()

    def proposal(self) -> ProposalInput:
        c = self.collect()
        return ProposalInput(
            outcome=c["outcome"], motivation=c["motivation"], notes=c["notes"],
            contacts=parse_contacts(c["contacts"]), open_support_offered=c["open_support"],
            guardians_to_be_informed=c["inform"], ongoing_investigation=c["ongoing"],
            forward_municipality=c["municipality"], violence_reason=c["violence_reason"],
            overrun_reason=c["overrun"],
        )

    def submit(self) -> None:
        try:
            proposal = self.proposal()
        except ValidationError as exc:
            self._ops.errors.show_error(exc)
            return
        self.autosaver.save_now()
        actor, item_id, corrects_id = self._actor, self.item_id, self.corrects_id
        if corrects_id is None:
            self._ops.mutate(lambda session: propose_decision(session, actor, item_id, proposal),
                             success=self._proposed)
            return
        reason, key = self.correction_reason.toPlainText(), self.autosaver.key

        def correct(session):  # type: ignore[no-untyped-def]
            result = propose_correction(session, actor, corrects_id, proposal, reason=reason)
            discard_draft(session, actor, kind=DRAFT_KIND, key=key)
            return result

        self._ops.mutate(correct, success=self._proposed)

    def _proposed(self, result: Any) -> None:
        self.autosaver.stop()
        self.presence.stop()
        self.sig_proposed.emit(result.decision_id)
        self.accept()

    def reject(self) -> None:  # Qt override: closing keeps the draft
        self.autosaver.save_now()
        self.presence.stop()
        super().reject()


def open_proposal_dialog(window) -> ProposalDialog | None:  # type: ignore[no-untyped-def]
    """Open the proposal form for the queue's selected item."""
    item_id = window.selected_item_id()
    if item_id is None:
        window.statusBar().showMessage(window.tr("Välj ett ärende i kön först."), 8000)
        return None
    row = window.selected_row()
    dialog = ProposalDialog(window.ops, window.actor, item_id, child_name=row.child_name,
                            violence="violence" in row.flags, parent=window)
    dialog.sig_proposed.connect(
        lambda _id: window.statusBar().showMessage(window.tr("Förslaget är skickat för signering."), 10000))
    show_dialog(window, "proposal_dialog", dialog)
    return dialog


def install_action(window) -> QAction:  # type: ignore[no-untyped-def]
    action = QAction(window.tr("Föreslå &beslut…"), window)
    action.setShortcut(QKeySequence("Ctrl+2"))
    action.triggered.connect(lambda: open_proposal_dialog(window))
    window.menu(window.tr("Ä&rende")).addAction(action)
    window.draft_openers[DRAFT_KIND] = lambda key: open_item_draft(window, key, open_proposal_dialog)
    return action

