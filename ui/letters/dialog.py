"""The letter dialog of a queue item: kind, recipient, meeting, preview as printed, approve, print.

The case data are read once per kind and recipient (an audited read on the database
worker); typing meeting details only redraws the preview on the PDF pool. Approving sends
the SHA-256 of the preview along, so what is stored is exactly what was looked at.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QSize, QTime, QTimer, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor
from mottagning.errors import MottagningError
from mottagning.letters.model import Address, LetterKind, Meeting
from mottagning.letters.requests import KIND_LABELS
from mottagning.letters.service import (
    PreparedLetter,
    issue_letter,
    letter_pdf,
    list_recipients,
    mark_printed,
    prepare_letter,
)
from mottagning.timeutil import STOCKHOLM, utc_now
from ui.operations import Operations
from ui.operations.files import PdfWork
from ui.widgets.page_preview import (
    PRINT_DPI,
    PagePreview,
    paint_on_printer,
    pdf_page_images,
)
from ui.widgets.style import WARNING_BOX
from ui.widgets.window_geometry import fit_window

REDRAW_MS = 400


class LetterDialog(QDialog):
    sig_issued = Signal(int)  # letter id

    def __init__(self, ops: Operations, actor: Actor, item_id: int, *, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self.item_id = ops, actor, item_id
        self.prepared: PreparedLetter | None = None
        self.preview_sha256: str | None = None
        self.issued_letter_id: int | None = None
        self.pdf_work = PdfWork(self)
        self.setWindowTitle(self.tr("Brev"))  # the child's name once the case is read
        fit_window(self, "letter", QSize(1180, 860))

        self.kind = QComboBox()
        for kind in LetterKind:
            self.kind.addItem(self.tr(KIND_LABELS[kind]), kind)
        self.recipient = QComboBox()
        self.recipient.setMinimumWidth(320)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(WARNING_BOX)
        self.problem.hide()
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.hide()

        form = QFormLayout()
        form.addRow(self.tr("Brev"), self.kind)
        form.addRow(self.tr("Mottagare"), self.recipient)
        self.meeting_box = self._meeting_fields()
        self.address_box = self._address_fields()

        self.preview = PagePreview()
        self.approve_button = QPushButton(self.tr("Godkänn"))
        self.approve_button.setToolTip(self.tr("Sparar brevet som det visas och lägger det i utskriftskön"))
        self.print_button = QPushButton(self.tr("Godkänn och skriv ut…"))
        for button in (self.approve_button, self.print_button):
            button.setEnabled(False)
        self.approve_button.clicked.connect(lambda: self.approve(print_after=False))
        self.print_button.clicked.connect(lambda: self.approve(print_after=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.approve_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addWidget(self.meeting_box)
        left_layout.addWidget(self.address_box)
        left_layout.addWidget(self.problem)
        left_layout.addWidget(self.warnings)
        left_layout.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([420, 760])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(buttons)

        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self.kind.currentIndexChanged.connect(self._load_recipients)
        self.recipient.currentIndexChanged.connect(self._prepare)
        self._load_recipients()

    # -- fields ------------------------------------------------------------------

    def _meeting_fields(self) -> QGroupBox:
        box = QGroupBox(self.tr("Mötet"))
        start = QDateTime.currentDateTime().addDays(7)
        start.setTime(QTime(10, 0))  # a week ahead at ten: the usual first suggestion
        self.meeting_start = QDateTimeEdit(start)
        self.meeting_start.setCalendarPopup(True)
        self.meeting_start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.meeting_place = QLineEdit()
        self.meeting_place.setPlaceholderText(self.tr("Adress, våning, var man anmäler sig"))
        self.meeting_with = QLineEdit()
        # filled with the case's handläggare (who signs the letter) once the letter is prepared
        self.meeting_with.setPlaceholderText(self.tr("Namn och titel"))
        self.rebooking = QLineEdit()
        self.rebooking.setPlaceholderText(self.tr("Tomt: enhetens telefon och telefontider"))
        self.interpreter = QLineEdit()
        self.interpreter.setPlaceholderText(self.tr("Språk, om tolk erbjuds"))
        form = QFormLayout(box)
        form.addRow(self.tr("Datum och tid"), self.meeting_start)
        form.addRow(self.tr("Plats"), self.meeting_place)
        form.addRow(self.tr("Träffar"), self.meeting_with)
        form.addRow(self.tr("Ombokning"), self.rebooking)
        form.addRow(self.tr("Tolk på"), self.interpreter)
        self.meeting_start.dateTimeChanged.connect(self._schedule_redraw)
        for field in (self.meeting_place, self.meeting_with, self.rebooking, self.interpreter):
            field.textChanged.connect(self._schedule_redraw)
        return box

    def _address_fields(self) -> QGroupBox:
        box = QGroupBox(self.tr("Anmälarens postadress (finns inte i anmälan)"))
        self.street = QLineEdit()
        self.postal_code = QLineEdit()
        self.postal_code.setInputMask("999 99;_")
        self.city = QLineEdit()
        form = QFormLayout(box)
        form.addRow(self.tr("Gatuadress"), self.street)
        row = QHBoxLayout()
        row.addWidget(self.postal_code, 1)
        row.addWidget(self.city, 3)
        form.addRow(self.tr("Postnr och ort"), row)
        for field in (self.street, self.postal_code, self.city):
            field.textChanged.connect(self._schedule_redraw)
        return box

    def current_kind(self) -> LetterKind:
        return LetterKind(self.kind.currentData())

    def meeting(self) -> Meeting | None:
        if self.current_kind() is not LetterKind.KALLELSE:
            return None
        local = self.meeting_start.dateTime().toPython()
        return Meeting(start=local.replace(tzinfo=STOCKHOLM), place=self.meeting_place.text().strip(),
                       meeting_with=self.meeting_with.text().strip(), rebooking=self.rebooking.text().strip(),
                       interpreter_language=self.interpreter.text().strip() or None)

    def reporter_address(self) -> Address | None:
        if self.current_kind() not in (LetterKind.ATERKOPPLING, LetterKind.BEKRAFTELSE):
            return None
        code = self.postal_code.text().replace("_", "").strip()
        return Address(self.street.text().strip(), code if len(code) == 6 else "", self.city.text().strip())

    # -- loading and preview -----------------------------------------------------

    def _set_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))
        if text:
            self.preview.show_message(text)
            self.preview_sha256 = None
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.preview_sha256 is not None and self.issued_letter_id is None
        self.approve_button.setEnabled(ready)
        self.print_button.setEnabled(ready)

    def _load_recipients(self) -> None:
        kind = self.current_kind()
        self.meeting_box.setVisible(kind is LetterKind.KALLELSE)
        self.address_box.setVisible(kind in (LetterKind.ATERKOPPLING, LetterKind.BEKRAFTELSE))
        self.issued_letter_id = None
        self.prepared = None
        actor, item_id = self._actor, self.item_id
        self._ops.query(lambda s: list_recipients(s, actor, item_id, kind), success=self._recipients_loaded,
                        failure=lambda error: self._set_problem(str(error)))

    def _recipients_loaded(self, choices) -> None:  # type: ignore[no-untyped-def]
        self.recipient.blockSignals(True)
        self.recipient.clear()
        for choice in choices:
            self.recipient.addItem(f"{choice.name} – {choice.description}", choice.index)
        self.recipient.blockSignals(False)
        self._prepare()

    def _prepare(self) -> None:
        self.prepared = None
        self.preview_sha256 = None
        self._update_buttons()
        index = self.recipient.currentData()
        actor, item_id, kind = self._actor, self.item_id, self.current_kind()
        self._ops.query(
            lambda s: prepare_letter(s, actor, item_id, kind, recipient_index=index or 0),
            success=self._prepared, failure=lambda error: self._set_problem(str(error)))

    def _prepared(self, prepared: PreparedLetter) -> None:
        if prepared.request.kind is not self.current_kind():
            return
        self.prepared = prepared
        self.setWindowTitle(self.tr("{kind} – {child}").format(
            kind=self.kind.currentText(), child=prepared.request.child_name))
        if not self.meeting_with.isModified():  # nobody typed another name: the signer, as signed
            self.meeting_with.blockSignals(True)
            self.meeting_with.setText(prepared.default_meeting_with)
            self.meeting_with.blockSignals(False)
        self.redraw()

    def _schedule_redraw(self) -> None:
        self.preview_sha256 = None
        self._update_buttons()
        self._redraw_timer.start()

    def redraw(self) -> None:
        """Render the prepared letter with the fields as typed, off the GUI thread."""
        if self.prepared is None:
            return
        prepared, meeting, address = self.prepared, self.meeting(), self.reporter_address()

        def render():  # type: ignore[no-untyped-def]
            rendered = prepared.render(meeting, address)
            return rendered, pdf_page_images(rendered.pdf)

        self.pdf_work.run(render, success=self._rendered, failure=self._render_failed)

    def _rendered(self, result) -> None:  # type: ignore[no-untyped-def]
        rendered, images = result
        self.preview.show_pages(images)
        self.preview_sha256 = rendered.sha256
        self.problem.hide()
        self.warnings.setText("\n\n".join(rendered.warnings))
        self.warnings.setVisible(bool(rendered.warnings))
        self._update_buttons()

    def _render_failed(self, error: BaseException) -> None:
        if isinstance(error, MottagningError):
            self._set_problem(str(error))
        else:
            self._ops.errors.show_error(error)

    # -- approve and print -------------------------------------------------------

    def approve(self, *, print_after: bool, printer: QPrinter | None = None) -> None:
        if self.preview_sha256 is None:
            return
        actor, item_id, kind = self._actor, self.item_id, self.current_kind()
        index, meeting, address, sha = (self.recipient.currentData() or 0, self.meeting(),
                                        self.reporter_address(), self.preview_sha256)
        self.approve_button.setEnabled(False)
        self.print_button.setEnabled(False)

        def issue(session):  # type: ignore[no-untyped-def]
            return issue_letter(session, actor, item_id, kind, recipient_index=index, meeting=meeting,
                                reporter_address=address, expected_sha256=sha, now=utc_now())

        def issued(result) -> None:  # type: ignore[no-untyped-def]
            self.issued_letter_id = result.letter.id
            self.sig_issued.emit(result.letter.id)
            self.warnings.setText(self.tr("Brev {id} är godkänt och ligger i utskriftskön.").format(
                id=result.letter.id) + ("\n\n" + "\n\n".join(result.warnings) if result.warnings else ""))
            self.warnings.show()
            if print_after:
                print_letters(self._ops, actor, [result.letter.id], self.pdf_work, parent=self, printer=printer)

        self._ops.mutate(issue, success=issued, failure=self._issue_failed)

    def _issue_failed(self, error: BaseException) -> None:
        self._update_buttons()
        self._ops.errors.show_error(error)


def ask_printer(parent: QWidget | None, on_chosen) -> QPrintDialog:  # type: ignore[no-untyped-def]
    """Open the print dialog window-modal; `on_chosen(printer)` runs when it is accepted."""
    chosen = QPrinter(QPrinter.PrinterMode.HighResolution)
    chosen.setDocName("Brev")
    dialog = QPrintDialog(chosen, parent)
    dialog.setObjectName("printDialog")
    dialog.accepted.connect(lambda: on_chosen(chosen))
    dialog.finished.connect(dialog.deleteLater)
    # QPrintDialog.open() in PySide6 is only the (receiver, member) overload; QDialog's own
    # open() is the window-modal show without a nested event loop.
    QDialog.open(dialog)
    return dialog


def print_letters(ops: Operations, actor: Actor, letter_ids: list[int], pdf_work: PdfWork, *,
                  parent: QWidget | None = None, printer: QPrinter | None = None,
                  done=None) -> None:  # type: ignore[no-untyped-def]
    """Fetch the stored PDFs, ask for a printer (unless one is given), print, mark printed.

    The print dialog is opened window-modal (no nested event loop); printing starts when it
    is accepted."""
    if printer is None:
        ask_printer(parent, lambda chosen: print_letters(ops, actor, letter_ids, pdf_work, parent=parent,
                                                         printer=chosen, done=done))
        return

    def fetch(session):  # type: ignore[no-untyped-def]
        return [letter_pdf(session, actor, letter_id) for letter_id in letter_ids]

    def rasterise(pdfs: list[bytes]) -> None:
        pdf_work.run(lambda: [pdf_page_images(pdf, dpi=PRINT_DPI) for pdf in pdfs],
                     success=paint, failure=ops.errors.show_error)

    def paint(page_sets) -> None:  # type: ignore[no-untyped-def]
        try:
            paint_on_printer(printer, page_sets)
        except OSError:
            ops.errors.show_error(MottagningError(
                "Skrivaren kunde inte startas. Inget brev markerades som utskrivet; försök igen."))
            return
        ops.mutate(lambda session: mark_printed(session, actor, letter_ids), success=done)

    ops.query(fetch, success=rasterise)
