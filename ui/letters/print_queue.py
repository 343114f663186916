"""The utskriftskö page: approved letters waiting to be printed, and printed ones waiting to be
posted. Staff (assistants too) print them all at once and mark them sent; the letters are
printed from the stored PDFs, byte for byte as approved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor, Changes
from mottagning.letters.requests import KIND_LABELS
from mottagning.letters.service import LetterInfo, LetterStatus, mark_sent, pending_letters
from mottagning.timeutil import format_datetime_sv
from ui.letters.dialog import print_letters
from ui.operations import Operations
from ui.operations.files import PdfWork

# the child and the kind of letter first: numbers alone tell a person nothing
COLUMNS = ("Barn", "Brev", "Mottagare", "Godkänt", "Av", "Ärende", "Brev nr")
ROLE_LABELS = {"guardian": "Vårdnadshavare", "child": "Barnet", "reporter": "Anmälare"}


class PrintQueuePage(QWidget):
    sig_loaded = Signal()

    def __init__(self, ops: Operations, actor: Actor, *, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor = ops, actor
        self.letters: list[LetterInfo] = []
        self._note = ""  # the outcome of the last print, shown after the list reloads
        self.pdf_work = PdfWork(self)
        self.show_status = QComboBox()
        self.show_status.addItem(self.tr("Att skriva ut"), LetterStatus.APPROVED)
        self.show_status.addItem(self.tr("Utskrivna, inte skickade"), LetterStatus.PRINTED)
        self.show_status.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.print_all_button = QPushButton(self.tr("Skriv ut alla…"))
        self.print_selected_button = QPushButton(self.tr("Skriv ut markerade…"))
        self.sent_button = QPushButton(self.tr("Markera markerade som skickade"))
        self.print_all_button.clicked.connect(lambda: self.print_letters(all_letters=True))
        self.print_selected_button.clicked.connect(lambda: self.print_letters(all_letters=False))
        self.sent_button.clicked.connect(self.mark_selected_sent)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("printQueue")
        self.table.setHorizontalHeaderLabels([self.tr(title) for title in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(COLUMNS.index("Mottagare"),
                                                           QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Visa")))
        top.addWidget(self.show_status)
        top.addWidget(self.summary, 1)
        top.addWidget(self.print_selected_button)
        top.addWidget(self.print_all_button)
        top.addWidget(self.sent_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        ops.sig_operation_executed.connect(self._on_changes)
        self.refresh()

    def status(self) -> LetterStatus:
        return LetterStatus(self.show_status.currentData())

    def refresh(self) -> None:
        actor, status = self._actor, self.status()
        self._ops.query(lambda s: pending_letters(s, actor, status=status), success=self._loaded)

    def _on_changes(self, changes: Changes) -> None:
        if changes.letters:
            self.refresh()

    def _loaded(self, letters: list[LetterInfo]) -> None:
        self.letters = letters
        self.table.setRowCount(len(letters))
        for row, letter in enumerate(letters):
            recipient = f"{letter.recipient_name} ({ROLE_LABELS.get(letter.recipient_role, '')})"
            if letter.protected_recipient:
                recipient += self.tr(" – via Skatteverket")
            cells = [letter.child_name, self.tr(KIND_LABELS[letter.kind]), recipient,
                     format_datetime_sv(letter.issued_at), letter.issued_by, str(letter.item_id), str(letter.id)]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column >= COLUMNS.index("Ärende"):
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        waiting = self.status() is LetterStatus.APPROVED
        if not letters:
            self.summary.setText(self.tr("Inga brev väntar på utskrift.") if waiting
                                 else self.tr("Inga utskrivna brev väntar på att skickas."))
        else:
            self.summary.setText((self.tr("{n} brev att skriva ut.") if waiting
                                  else self.tr("{n} brev att skicka.")).format(n=len(letters)))
        if self._note:
            self.summary.setText(self._note + " " + self.summary.text())
            self._note = ""
        self._update_buttons()
        self.sig_loaded.emit()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.letters[row].id for row in rows]

    def _update_buttons(self) -> None:
        waiting = self.status() is LetterStatus.APPROVED
        self.print_all_button.setEnabled(waiting and bool(self.letters))
        self.print_selected_button.setEnabled(bool(self.selected_ids()))
        self.sent_button.setVisible(not waiting)
        self.sent_button.setEnabled(bool(self.selected_ids()))

    def print_letters(self, *, all_letters: bool, printer: QPrinter | None = None) -> None:
        """Print the shown (or selected) letters through the print dialog, then mark them printed."""
        ids = [letter.id for letter in self.letters] if all_letters else self.selected_ids()
        if ids:
            print_letters(self._ops, self._actor, ids, self.pdf_work, parent=self, printer=printer,
                          done=self._printed)

    def _printed(self, result) -> None:  # type: ignore[no-untyped-def]
        message = self.tr("{n} brev utskrivna.").format(n=len(result.printed) + len(result.reprinted))
        if result.reprinted:
            message += " " + self.tr("{n} av dem hade redan skrivits ut av någon annan.").format(
                n=len(result.reprinted))
        self._note = message

    def mark_selected_sent(self) -> None:
        ids, actor = self.selected_ids(), self._actor
        if ids:
            self._ops.mutate(lambda s: mark_sent(s, actor, ids))
