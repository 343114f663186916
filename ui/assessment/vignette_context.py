"""The left column of the skyddsbedömning screen in training mode: the vignette's report,
the child's history and the family, in place of a real report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from mottagning.calibration.vignettes import Vignette


class VignetteContext(QWidget):
    def __init__(self, vignette: Vignette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self._label(self.tr("{reporter} · {received}").format(
            reporter=vignette.reporter, received=vignette.received)))
        layout.addWidget(self._label(self.tr("Anmälarens text (ordagrant)"), bold=True))
        text = QPlainTextEdit(vignette.text)
        text.setObjectName("verbatim")
        text.setAccessibleName(self.tr("Anmälarens text (ordagrant)"))
        text.setReadOnly(True)
        text.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        layout.addWidget(text, 3)
        layout.addWidget(self._label(self.tr("Barnets historik"), bold=True))
        layout.addWidget(self._label(vignette.history))
        layout.addWidget(self._label(self.tr("Familjen"), bold=True))
        layout.addWidget(self._label(vignette.family))
        layout.addStretch()

    @staticmethod
    def _label(text: str, *, bold: bool = False) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        if bold:
            label.setStyleSheet("font-weight: bold; margin-top: 6px;")
        return label
