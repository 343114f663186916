"""Accessible names for every input and button, and a visible focus frame.

A screen reader announces a widget by its accessible name. A button's text or a field's
label is the natural name, but Qt only finds a label that is the field's buddy, and many
of our fields have only a placeholder ("Barnets namn"). `name_widgets(root)` gives every
input and button under `root` that has no name yet the text a sighted user reads for it:
its label (buddy or form row), its placeholder, its own text, else its tooltip. Each
window does this when it is first shown (ui/window_geometry.py), and views that build
their content later do it again afterwards.

`FOCUS_FRAMES` makes the keyboard focus visible on radio buttons, check boxes and combo
boxes, which the default style marks only faintly.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

INPUTS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox)

FOCUS = "#ef6c00"
FOCUS_FRAMES = f"""
QRadioButton:focus, QCheckBox:focus {{ border: 2px solid {FOCUS}; border-radius: 3px; }}
QRadioButton, QCheckBox {{ border: 2px solid transparent; padding: 1px; }}
QComboBox:focus {{ border: 2px solid {FOCUS}; border-radius: 3px; }}
"""


def install_focus_frames(app: QApplication) -> None:
    """A clearly visible focus frame on radio buttons, check boxes and combo boxes."""
    if FOCUS_FRAMES not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + FOCUS_FRAMES)


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text)  # rich-text labels
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return " ".join(text.split()).rstrip(":").strip()


def _labels_of(root: QWidget) -> dict[QWidget, str]:
    """field → the text of the label a sighted user reads for it."""
    labels: dict[QWidget, str] = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and label.text():
            labels.setdefault(buddy, _clean(label.text()))
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = label_item.widget() if label_item is not None else None
            field = field_item.widget() if field_item is not None else None
            if isinstance(label, QLabel) and field is not None and label.text():
                labels.setdefault(field, _clean(label.text()))
    return labels


def accessible_name(widget: QWidget, labels: dict[QWidget, str]) -> str:
    """The name a widget should be announced by ("" when nothing sensible is known)."""
    if widget in labels:
        return labels[widget]
    if isinstance(widget, QAbstractButton) and widget.text():
        return _clean(widget.text())
    placeholder = getattr(widget, "placeholderText", None)
    if callable(placeholder) and placeholder():
        return _clean(placeholder())
    if widget.toolTip():
        return _clean(widget.toolTip())
    return ""


def name_widgets(root: QWidget) -> None:
    """Give every input and button under `root` (and `root` itself) that has no
    accessible name the text the user sees for it."""
    labels = _labels_of(root)
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, INPUTS) and not widget.accessibleName():
            name = accessible_name(widget, labels)
            if name:
                widget.setAccessibleName(name)


class _NameOnShow(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            name_widgets(watched)
        return False


def name_on_show(window: QWidget) -> None:
    """Name the window's inputs and buttons each time it is shown."""
    _NameOnShow(window)
