"""The left column of the skyddsbedömning screen in training mode: the vignette's report,
the child's history and the family, in place of a real report."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from mottagning.calibration.vignettes import Vignette
from ui.assessment.context_widgets import add_verbatim_text, wrapped_label


class VignetteContext(QWidget):
    def __init__(self, vignette: Vignette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(wrapped_label(self.tr("{reporter} · {received}").format(
            reporter=vignette.reporter, received=vignette.received)))
        add_verbatim_text(layout, vignette.text)
        layout.addWidget(wrapped_label(self.tr("Barnets historik"), bold=True))
        layout.addWidget(wrapped_label(vignette.history))
        layout.addWidget(wrapped_label(self.tr("Familjen"), bold=True))
        layout.addWidget(wrapped_label(vignette.family))
        layout.addStretch()
