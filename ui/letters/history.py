"""The item's letters in the detail pane: each issued letter (kind, recipient, approved
when and by whom, printed/sent/cancelled) with Visa (the stored PDF, the very bytes
issued), Skriv ut igen (audited as a reprint) and Makulera for a letter not yet sent; and
the återkoppling still owed to the reporter with its due date.

The list is read (audited) when an item is opened or its letters change; the pane's
redraws (every 30 seconds) reuse what was read.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Changes
from mottagning.decisions.delegation import FEEDBACK_LABELS_SV
from mottagning.letters.feedback import FeedbackDue, open_feedback
from mottagning.letters.requests import KIND_LABELS
from mottagning.letters.service import (
    STATUS_LABELS_SV,
    LetterInfo,
    LetterStatus,
    cancel_letter,
    item_letters,
    letter_pdf,
)
from mottagning.queue.listing import ItemDetail
from mottagning.rules.permissions import Action, allowed
from mottagning.timeutil import format_date_sv, format_datetime_sv
from ui.letters.dialog import print_letters
from ui.operations.files import PdfWork
from ui.widgets.page_preview import PagePreview, pdf_page_images
from ui.widgets.style import WARNING_BOX
from ui.widgets.window_geometry import fit_window

NOT_SENT = (LetterStatus.APPROVED, LetterStatus.PRINTED)
REPRINTABLE = (LetterStatus.PRINTED, LetterStatus.SENT)


def _label(text: str, *, bold: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    if bold:
        font = QFont(widget.font())
        font.setBold(True)
        widget.setFont(font)
    return widget


class LetterViewer(QDialog):
    """One stored letter as it was issued, with its checksum verified against the record."""

    def __init__(self, letter: LetterInfo, pdf: bytes, pdf_work: PdfWork, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle(self.tr("{kind} till {name}").format(
            kind=self.tr(KIND_LABELS[letter.kind]), name=letter.recipient_name))
        fit_window(self, "letter_viewer", QSize(760, 900))
        self.identical = hashlib.sha256(pdf).hexdigest() == letter.sha256
        check = (self.tr("Brevet visas exakt som det utfärdades (kontrollsumman stämmer).") if self.identical
                 else self.tr("VARNING: det lagrade brevet stämmer inte med sin kontrollsumma. Kontakta systemförvaltaren."))
        note = _label(check, bold=not self.identical)
        if not self.identical:
            note.setStyleSheet(WARNING_BOX)
        self.preview = PagePreview()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.finished.connect(self.deleteLater)
        pdf_work.run(lambda: pdf_page_images(pdf), success=self.preview.show_pages,
                     failure=lambda error: self.preview.show_message(str(error)))


class LettersHistory(QObject):
    sig_loaded = Signal(int)  # item id whose letters are known
    sig_viewer_opened = Signal(object)  # LetterViewer

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window, self._ops, self._actor = window, window.ops, window.actor
        self._pane = window.detail
        self.pdf_work = PdfWork(self)
        self.item_id: int | None = None
        self.letters: list[LetterInfo] = []
        self.feedback: list[FeedbackDue] = []
        self.section: QWidget | None = None
        self._pane.section_builders.append(self.build)
        self._pane.sig_loaded.connect(self.load)
        self._ops.sig_operation_executed.connect(self._on_changes)

    def load(self, item_id: int) -> None:
        actor = self._actor

        def read(session):  # type: ignore[no-untyped-def]
            return item_letters(session, actor, item_id), open_feedback(session, actor, item_id)

        self._ops.query(read, success=lambda result: self._loaded(item_id, result))

    def _loaded(self, item_id: int, result) -> None:  # type: ignore[no-untyped-def]
        if item_id != self._pane.item_id:
            return  # the worker has moved on to another item
        self.item_id = item_id
        self.letters, self.feedback = result
        self._pane.refresh_times()
        self.sig_loaded.emit(item_id)

    def _on_changes(self, changes: Changes) -> None:
        # A change naming the shown item reopens it (and so reloads via sig_loaded).
        item_id = self._pane.item_id
        if changes.letters and item_id is not None and item_id not in changes.item_ids:
            self.load(item_id)

    # -- the section -------------------------------------------------------------

    def build(self, detail: ItemDetail) -> QWidget | None:
        if detail.row.id != self.item_id or not (self.letters or self.feedback):
            self.section = None
            return None
        section = QWidget()
        section.setObjectName("itemLetters")
        layout = QVBoxLayout(section)
        layout.setContentsMargins(0, 8, 0, 0)
        heading = _label(self.tr("Brev och återkoppling"), bold=True)
        layout.addWidget(heading)
        now = self._ops.clock()
        for task in self.feedback:
            text = self.tr("Återkoppling till anmälaren senast {date} ({content})").format(
                date=format_date_sv(task.due_at), content=FEEDBACK_LABELS_SV.get(task.content, task.content).lower())
            if task.due_at < now:
                text += self.tr(" – försenad")
            owed = _label(text, bold=True)
            owed.setObjectName("feedbackDue")
            owed.setStyleSheet(WARNING_BOX)
            layout.addWidget(owed)
        for letter in reversed(self.letters):  # newest first
            layout.addLayout(self._row(letter))
        self.section = section
        return section

    def _row(self, letter: LetterInfo) -> QHBoxLayout:
        status = letter.status
        when = {LetterStatus.PRINTED: letter.printed_at, LetterStatus.SENT: letter.sent_at,
                LetterStatus.CANCELLED: letter.cancelled_at}.get(status)
        status_text = self.tr(STATUS_LABELS_SV[status]) + (f" {format_datetime_sv(when)}" if when else "")
        text = self.tr("{kind} till {name}\nGodkänt {when} av {who} · {status}").format(
            kind=self.tr(KIND_LABELS[letter.kind]), name=letter.recipient_name,
            when=format_datetime_sv(letter.issued_at), who=letter.issued_by, status=status_text)
        line = QHBoxLayout()
        description = _label(text)
        description.setEnabled(status is not LetterStatus.CANCELLED)
        line.addWidget(description, 1)
        roles = self._actor.roles
        may_open = allowed(roles, Action.PRINT_LETTER) or allowed(roles, Action.WRITE_LETTER)
        if may_open:
            line.addWidget(self._button(self.tr("Visa"), f"view{letter.id}", lambda: self.view(letter.id)))
        if status in REPRINTABLE and allowed(roles, Action.PRINT_LETTER):
            line.addWidget(self._button(self.tr("Skriv ut igen"), f"reprint{letter.id}",
                                        lambda: self.reprint(letter.id)))
        if status in NOT_SENT and allowed(roles, Action.WRITE_LETTER):
            line.addWidget(self._button(self.tr("Makulera…"), f"cancel{letter.id}", lambda: self.ask_cancel(letter.id)))
        return line

    def _button(self, text: str, name: str, slot) -> QPushButton:  # type: ignore[no-untyped-def]
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # -- actions -----------------------------------------------------------------

    def _letter(self, letter_id: int) -> LetterInfo:
        return next(letter for letter in self.letters if letter.id == letter_id)

    def view(self, letter_id: int) -> None:
        """Show the stored PDF (an audited read)."""
        actor, letter = self._actor, self._letter(letter_id)

        def opened(pdf: bytes) -> None:
            viewer = LetterViewer(letter, pdf, self.pdf_work, self._window)
            viewer.open()
            self.sig_viewer_opened.emit(viewer)

        self._ops.query(lambda session: letter_pdf(session, actor, letter_id), success=opened)

    def reprint(self, letter_id: int, *, printer: QPrinter | None = None) -> None:
        """Print the stored bytes again; the service logs it as a reprint."""
        print_letters(self._ops, self._actor, [letter_id], self.pdf_work, parent=self._window, printer=printer)

    def ask_cancel(self, letter_id: int) -> QInputDialog:
        letter = self._letter(letter_id)
        dialog = QInputDialog(self._window)
        dialog.setObjectName("cancelLetter")
        dialog.setWindowTitle(self.tr("Makulera brev"))
        dialog.setLabelText(self.tr("Varför ska brevet ({kind} till {name}) makuleras? Det sparas men skickas inte.")
                            .format(kind=self.tr(KIND_LABELS[letter.kind]), name=letter.recipient_name))
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dialog.setOkButtonText(self.tr("Makulera"))
        dialog.setCancelButtonText(self.tr("Avbryt"))
        dialog.textValueSelected.connect(lambda reason: self.cancel(letter_id, reason))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def cancel(self, letter_id: int, reason: str) -> None:
        actor = self._actor
        self._ops.mutate(lambda session: cancel_letter(session, actor, letter_id, reason))
