"""Paints the flags of a queue row as coloured chips with their Swedish label.

A row's chips are drawn once into a transparent pixmap per set of flags (and font, height
and pixel ratio) and copied onto the cell on every later paint: the table repaints its
visible rows many times a second while it scrolls."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.widgets.style import FLAG_COLOURS

PADDING = 5
GAP = 4
CACHED_CHIPS = 64  # distinct sets of flags (and sizes) kept as pixmaps


class FlagDelegate(QStyledItemDelegate):
    def __init__(self, labels: dict[str, str], flags_role: int, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._labels = labels
        self._role = flags_role
        self._cache: dict[tuple[tuple[str, ...], str, int, float], QPixmap] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:  # Qt override
        flags = index.data(self._role) or ()
        style = option.widget.style() if option.widget else None
        if style is not None:
            # the selection or alternating background and the focus frame, from the view's own
            # option: it has no text yet (initStyleOption would ask the model for every role)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        if not flags:
            return
        rect = option.rect
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        chips = self._chips(tuple(flags), option.font, rect.height(), ratio)
        painter.drawPixmap(rect.x(), rect.y(), chips)

    def _chips(self, flags: tuple[str, ...], font: QFont, height: int, ratio: float) -> QPixmap:
        key = (flags, font.key(), height, ratio)
        chips = self._cache.get(key)
        if chips is None:
            if len(self._cache) >= CACHED_CHIPS:
                self._cache.clear()
            chips = self._cache[key] = self._draw_chips(flags, font, height, ratio)
        return chips

    def _draw_chips(self, flags: tuple[str, ...], font: QFont, cell_height: int,
                    ratio: float) -> QPixmap:
        metrics = QFontMetrics(font)
        widths = [metrics.horizontalAdvance(self._labels.get(f, f)) + 2 * PADDING for f in flags]
        pixmap = QPixmap(max(1, round((sum(widths) + GAP * (len(flags) + 1)) * ratio)),
                         max(1, round(cell_height * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        height = metrics.height() + 2
        x = GAP
        y = (cell_height - height) / 2
        for flag, width in zip(flags, widths, strict=True):
            background, foreground = FLAG_COLOURS.get(flag, ("#777777", "#ffffff"))
            chip = QRectF(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(background))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QColor(foreground))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, self._labels.get(flag, flag))
            x += width + GAP
        painter.end()
        return pixmap

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:  # Qt override
        metrics = QFontMetrics(option.font)
        flags = index.data(self._role) or ()
        width = sum(metrics.horizontalAdvance(self._labels.get(f, f)) + 2 * PADDING + GAP
                    for f in flags) + GAP
        return QSize(width, metrics.height() + 8)
