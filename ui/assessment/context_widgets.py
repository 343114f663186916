"""Pieces of the skyddsbedömning screen's left column, shared by a real report
(`ui.assessment.screen`) and a training vignette (`ui.assessment.vignette_context`)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QPlainTextEdit


def wrapped_label(text: str, *, bold: bool = False) -> QLabel:
    """Plain text that wraps; a bold one is a heading with a little room above it."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if bold:
        label.setStyleSheet("font-weight: bold; margin-top: 6px;")
    return label


def add_verbatim_text(layout: QBoxLayout, text: str) -> QPlainTextEdit:
    """The reporter's own words under their heading: read-only, selectable, out of the Tab
    order (the keyboard goes from question to question)."""
    heading = QCoreApplication.translate("Assessment", "Anmälarens text (ordagrant)")
    layout.addWidget(wrapped_label(heading, bold=True))
    verbatim = QPlainTextEdit(text)
    verbatim.setObjectName("verbatim")
    verbatim.setAccessibleName(heading)
    verbatim.setReadOnly(True)
    verbatim.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    layout.addWidget(verbatim, 3)
    return verbatim
