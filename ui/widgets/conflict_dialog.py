"""A save refused because someone saved a newer version meanwhile (`ConcurrentEdit` with
`theirs`): the user's text and the newer saved text side by side, the lines that differ
highlighted, and the user chooses. "Behåll min text" saves the left side (which the user may
have edited to merge in parts of the newer text); "Använd den nya" takes the newer text;
"Avbryt" saves nothing.

The dialog only chooses: the screen that opened it saves over the newer version, and its
autosave draft is discarded only when that save succeeds, so the user's text survives until
then (`sig_mine_edited` lets the screen keep a merge in progress in its draft too).
"""

from __future__ import annotations

import difflib
from enum import Enum

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.style import WARNING_BOX

MINE_CHANGED = "#fff4ce"  # the user's lines that the newer text lacks
THEIRS_CHANGED = "#dcebff"  # the newer text's lines that the user's text lacks


class Choice(Enum):
    MINE = "mine"
    THEIRS = "theirs"


def changed_lines(mine: str, theirs: str) -> tuple[set[int], set[int]]:
    """The line numbers (from 0) that differ: of `mine`, and of `theirs`."""
    a, b = mine.split("\n"), theirs.split("\n")
    ours, others = set(), set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            ours.update(range(i1, i2))
            others.update(range(j1, j2))
    return ours, others


def _line_selections(edit: QPlainTextEdit | QTextEdit, lines: set[int],
                     colour: str) -> list[QTextEdit.ExtraSelection]:
    selections = []
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(colour))
    fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
    document = edit.document()
    for line in sorted(lines):
        block = document.findBlockByNumber(line)
        if not block.isValid():
            continue
        selection = QTextEdit.ExtraSelection()
        selection.format = fmt
        selection.cursor = QTextCursor(block)
        selections.append(selection)
    return selections


class ConflictDialog(QDialog):
    """`mine` (editable) and `theirs` (read-only) side by side; `chosen_text()` after accept."""

    sig_mine_edited = Signal(str)

    def __init__(self, *, mine: str, theirs: str, about: str, theirs_title: str | None = None,
                 mergeable: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.choice: Choice | None = None
        self._theirs = theirs
        self.setWindowTitle(self.tr("Någon annan har sparat en nyare version"))
        self.resize(QSize(1100, 640))
        message = QLabel(about)
        message.setObjectName("conflictAbout")
        message.setWordWrap(True)
        message.setStyleSheet(WARNING_BOX)
        hint = QLabel(self.tr(
            "Det du skrev är inte förlorat: det finns kvar som utkast tills du har valt och det "
            "har sparats. Rader som skiljer sig är markerade. Du kan slå ihop texterna genom att "
            "ändra i din text till vänster och sedan välja ”Behåll min text”.") if mergeable else self.tr(
            "Rader som skiljer sig är markerade. ”Behåll min text” sparar ditt val över det nya; "
            "”Använd den nya” behåller det som redan är sparat."))
        hint.setWordWrap(True)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.mine = QPlainTextEdit(mine)
        self.mine.setObjectName("conflictMine")
        self.mine.setAccessibleName(self.tr("Din text"))
        self.mine.setFont(fixed)
        self.mine.setTabChangesFocus(True)
        self.mine.setReadOnly(not mergeable)
        self.theirs = QPlainTextEdit(theirs)
        self.theirs.setObjectName("conflictTheirs")
        self.theirs.setAccessibleName(self.tr("Den nya sparade texten"))
        self.theirs.setReadOnly(True)
        self.theirs.setFont(fixed)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("<b>Din text</b> (du kan ändra den)") if mergeable
                              else self.tr("<b>Din ändring</b>")), 0, 0)
        theirs_label = QLabel("<b>{}</b>".format(theirs_title or self.tr("Den nya sparade texten")))
        theirs_label.setObjectName("conflictTheirsTitle")
        grid.addWidget(theirs_label, 0, 1)
        grid.addWidget(self.mine, 1, 0)
        grid.addWidget(self.theirs, 1, 1)
        self.keep_button = QPushButton(self.tr("Behåll min text"))
        self.keep_button.setObjectName("conflictKeepMine")
        self.use_button = QPushButton(self.tr("Använd den nya"))
        self.use_button.setObjectName("conflictUseTheirs")
        self.cancel_button = QPushButton(self.tr("Avbryt (utkastet finns kvar)"))
        buttons = QDialogButtonBox()
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_button.clicked.connect(lambda: self._choose(Choice.MINE))
        self.use_button.clicked.connect(lambda: self._choose(Choice.THEIRS))
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(hint)
        layout.addLayout(grid, 1)
        layout.addWidget(buttons)
        self.mine.textChanged.connect(self._mine_edited)
        self.highlight()
        self.mine.setFocus()

    def highlight(self) -> None:
        """Mark the lines that differ on both sides."""
        ours, others = changed_lines(self.mine.toPlainText(), self._theirs)
        self.mine.setExtraSelections(_line_selections(self.mine, ours, MINE_CHANGED))
        self.theirs.setExtraSelections(_line_selections(self.theirs, others, THEIRS_CHANGED))

    def differing_lines(self) -> tuple[set[int], set[int]]:
        return changed_lines(self.mine.toPlainText(), self._theirs)

    def _mine_edited(self) -> None:
        self.highlight()
        self.sig_mine_edited.emit(self.mine.toPlainText())

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()

    def chosen_text(self) -> str:
        """The text to save: the user's (perhaps merged) text, or the newer one."""
        return self._theirs if self.choice is Choice.THEIRS else self.mine.toPlainText()
