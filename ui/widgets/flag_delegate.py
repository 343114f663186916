"""Paints the flags of a queue row as coloured chips with their Swedish label."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.widgets.style import FLAG_COLOURS

PADDING = 5
GAP = 4


class FlagDelegate(QStyledItemDelegate):
    def __init__(self, labels: dict[str, str], flags_role: int, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._labels = labels
        self._role = flags_role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:  # Qt override
        flags = index.data(self._role) or ()
        style = option.widget.style() if option.widget else None
        if style is not None:
            # the selection background, without the text (the chips replace it)
            plain = QStyleOptionViewItem(option)
            self.initStyleOption(plain, index)
            plain.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(option.font)
        height = metrics.height() + 2
        x = option.rect.x() + GAP
        y = option.rect.y() + (option.rect.height() - height) / 2
        for flag in flags:
            text = self._labels.get(flag, flag)
            width = metrics.horizontalAdvance(text) + 2 * PADDING
            background, foreground = FLAG_COLOURS.get(flag, ("#777777", "#ffffff"))
            chip = QRectF(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(background))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QColor(foreground))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
            x += width + GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:  # Qt override
        metrics = QFontMetrics(option.font)
        flags = index.data(self._role) or ()
        width = sum(metrics.horizontalAdvance(self._labels.get(f, f)) + 2 * PADDING + GAP
                    for f in flags) + GAP
        return QSize(width, metrics.height() + 8)
