"""Letter pages as they will print: PDF → images with pypdfium2, shown in a scroll area and
painted onto a QPrinter. PDF work runs off the GUI thread (`ui.operations.files.PdfWork`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

PREVIEW_DPI = 110
PRINT_DPI = 300
# pdfium is not thread-safe: one page at a time across the pool.
_PDFIUM_LOCK = threading.Lock()


def pdf_page_images(pdf: bytes, *, dpi: int = PREVIEW_DPI) -> list[QImage]:
    """Every page of `pdf` as an image (QImage may be built off the GUI thread)."""
    images = []
    with _PDFIUM_LOCK:
        import pypdfium2 as pdfium  # loaded with the first preview, not at start

        document = pdfium.PdfDocument(pdf)
        try:
            for page in document:
                bitmap = page.render(scale=dpi / 72, prefer_bgrx=True)
                image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGB32).copy()
                image.setDotsPerMeterX(round(dpi / 0.0254))
                image.setDotsPerMeterY(round(dpi / 0.0254))
                images.append(image)
                page.close()
        finally:
            document.close()
    return images


class PagePreview(QScrollArea):
    """The pages one below the other, with a shadow-less white border like paper."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setMinimumWidth(480)
        self._holder = QWidget()
        self._holder.setObjectName("letterPages")
        self._holder.setStyleSheet("#letterPages { background: #8a8f96; }")
        self._layout = QVBoxLayout(self._holder)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._layout.setSpacing(12)
        self.setWidget(self._holder)
        self.page_count = 0
        self.show_message(self.tr("Förhandsgranskningen visas här."))

    def _clear(self) -> None:
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def show_message(self, text: str) -> None:
        self._clear()
        self.page_count = 0
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("background: white; padding: 24px; color: #222;")
        label.setMaximumWidth(520)
        self._layout.addWidget(label)

    def show_pages(self, images: Sequence[QImage]) -> None:
        self._clear()
        self.page_count = len(images)
        width = max(420, self.viewport().width() - 40)
        for image in images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image).scaledToWidth(
                min(width, image.width()), Qt.TransformationMode.SmoothTransformation))
            label.setStyleSheet("background: white; border: 1px solid #555;")
            self._layout.addWidget(label)


def paint_on_printer(printer: QPrinter, page_sets: Sequence[Sequence[QImage]]) -> int:
    """Paint each letter's pages onto `printer`, one sheet per page; returns the sheet count.

    The page images fill the printer's full page, so the address lands in the envelope window
    as laid out by the engine (printers cannot print to the edge; the margins are blank anyway).
    """
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("printer")
    sheets = 0
    try:
        target = printer.pageLayout().fullRectPixels(printer.resolution())
        for images in page_sets:
            for image in images:
                if sheets:
                    printer.newPage()
                painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
                sheets += 1
    finally:
        painter.end()
    return sheets
