"""One question of the skyddsbedömning: its text, ja/nej/vet ej and a note.

Keyboard-first: the answer buttons take the focus (with a visible frame), and J/N/V or
1/2/3 answer the question only while one of them has it, never while a note has it, so a
note typed in the wrong place cannot answer questions. The buttons are one exclusive
group, so Tab goes buttons → note → next question and the arrow keys move between them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.assessment import NO, UNKNOWN, YES, Question
from mottagning.assessment.form import FREE_TEXT

NOTE_DELAY_MS = 300  # a note is saved this long after typing pauses, and on leaving it
NOTE_MAX_WAIT_MS = 2000  # ... and at the latest this long after a change, while typing goes on

KEYS = {
    Qt.Key.Key_J: YES, Qt.Key.Key_1: YES,
    Qt.Key.Key_N: NO, Qt.Key.Key_2: NO,
    Qt.Key.Key_V: UNKNOWN, Qt.Key.Key_3: UNKNOWN,
}

FRAME = "QFrame#question {{ border: {width}px solid {colour}; border-radius: 6px; background: {bg}; }}"
ANSWER_BUTTON = ("QPushButton { padding: 4px; border: 1px solid #8a8a8a; border-radius: 3px; "
                 "background: #f5f5f5; } "
                 "QPushButton:checked { background: #1565c0; color: white; font-weight: bold; "
                 "border: 1px solid #0d47a1; } "
                 "QPushButton:focus { border: 3px solid #ef6c00; }")
NOTE_REQUIRED = "QPlainTextEdit { border: 2px solid #b71c1c; background: #fff6f6; }"


class NoteEdit(QPlainTextEdit):
    sig_left = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # Qt override
        super().focusOutEvent(event)
        self.sig_left.emit()


class AnswerButton(QPushButton):
    """Ja / Nej / Vet ej: while it has the focus, J/N/V/1/2/3 answer and Delete clears."""

    sig_key_answer = Signal(object)  # "ja"/"nej"/"vet_ej" or None (cleared)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        value = KEYS.get(Qt.Key(event.key()))
        if value is not None and modifiers == Qt.KeyboardModifier.NoModifier:
            self.sig_key_answer.emit(value)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.sig_key_answer.emit(None)
            return
        super().keyPressEvent(event)


class QuestionWidget(QFrame):
    sig_answered = Signal(str, object)  # question id, "ja"/"nej"/"vet_ej" or None
    sig_note_changed = Signal(str, str)  # question id, text (debounced)

    def __init__(self, question: Question, number: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.question = question
        self.setObjectName("question")
        self.free_text = question.kind == FREE_TEXT
        self._answer: str | None = None
        self._read_only = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        title = QLabel(f"{number}. {question.text}")
        title.setWordWrap(True)
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        if question.help:
            help_text = QLabel(question.help)
            help_text.setWordWrap(True)
            help_text.setTextFormat(Qt.TextFormat.PlainText)
            help_text.setStyleSheet("color: #555;")
            layout.addWidget(help_text)
        self.buttons: dict[str, AnswerButton] = {}
        self._group = QButtonGroup(self)
        if not self.free_text:
            row = QHBoxLayout()
            for value, caption in ((YES, self.tr("Ja (J)")), (NO, self.tr("Nej (N)")),
                                   (UNKNOWN, self.tr("Vet ej (V)"))):
                button = AnswerButton(caption)
                button.setObjectName(f"answer_{value}")
                button.setAccessibleName(self.tr("{answer} – fråga {n}").format(
                    answer=caption.split(" (")[0], n=number))
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                button.setMinimumWidth(90)
                button.setStyleSheet(ANSWER_BUTTON)
                button.clicked.connect(lambda _=False, v=value: self._choose(v))
                button.sig_key_answer.connect(self._choose)
                self._group.addButton(button)
                self.buttons[value] = button
                row.addWidget(button)
            row.addStretch()
            layout.addLayout(row)
        self.note = NoteEdit()
        self.note.setObjectName(f"note_{question.id}")
        self.note.setAccessibleName(self.tr("Anteckning – fråga {n}").format(n=number))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 3 + 14)
        layout.addWidget(self.note)
        self._note_timer = QTimer(self, singleShot=True, interval=NOTE_DELAY_MS)
        self._note_timer.timeout.connect(self.flush_note)
        self._note_max_wait = QTimer(self, singleShot=True, interval=NOTE_MAX_WAIT_MS)
        self._note_max_wait.timeout.connect(self.flush_note)
        self._saved_note = ""
        self.note.textChanged.connect(self._note_changed)
        self.note.sig_left.connect(self.flush_note)
        self.set_current(False)
        self.set_note_required(False)

    # -- state -------------------------------------------------------------------

    @property
    def answer(self) -> str | None:
        return self._answer

    def focus_target(self) -> QWidget:
        """The chosen answer's button (else Ja); the note of a free-text question."""
        if self.free_text:
            return self.note
        return self.buttons.get(self._answer or "") or self.buttons[YES]

    def set_values(self, answer: str | None, note: str) -> None:
        """Show saved values without emitting saves."""
        self._answer = answer
        for value, button in self.buttons.items():
            button.setChecked(value == answer)
        self._saved_note = note
        self.note.blockSignals(True)
        self.note.setPlainText(note)
        self.note.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for button in self.buttons.values():
            button.setEnabled(not read_only)
        self.note.setReadOnly(read_only)

    def set_note_required(self, required: bool) -> None:
        if self.free_text or required:
            self.note.setPlaceholderText(self.tr("Anteckning krävs"))
        else:
            self.note.setPlaceholderText(self.tr("Anteckning (frivillig)"))
        missing = required and not self.note.toPlainText().strip() and not self._read_only
        self.note.setStyleSheet(NOTE_REQUIRED if missing else "")

    def set_current(self, current: bool) -> None:
        self.setStyleSheet(FRAME.format(width=2 if current else 1,
                                        colour="#1565c0" if current else "#c9c9c9",
                                        bg="#eef4fc" if current else "#ffffff"))

    # -- behaviour ---------------------------------------------------------------

    def _choose(self, value: str | None) -> None:
        if self._read_only:
            return
        self._answer = value
        for key, button in self.buttons.items():
            button.setChecked(key == value)
        self.sig_answered.emit(self.question.id, value)

    def _note_changed(self) -> None:
        self._note_timer.start()
        if not self._note_max_wait.isActive():
            self._note_max_wait.start()

    def flush_note(self) -> None:
        self._note_timer.stop()
        self._note_max_wait.stop()
        text = self.note.toPlainText()
        if text != self._saved_note and not self._read_only:
            self._saved_note = text
            self.sig_note_changed.emit(self.question.id, text)
