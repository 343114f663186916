"""Corrections a worker makes from the detail pane: a report's concern codes (with a
reason) and marking a person's protected identity. Each goes through its core service,
which enforces the role and writes the audit event.

A correction saved over one another worker saved since the dialog opened is refused by the
core; `concern_conflict_dialog` then shows both sets of codes side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mottagning.errors import ConcurrentEdit
from mottagning.rules.codes import codes, concern_label
from ui.widgets.conflict_dialog import ConflictDialog


class ConcernCodesDialog(QDialog):
    """The report's concern codes as checkboxes and the reason for the change (required)."""

    def __init__(self, current: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Rätta orsaker till oro"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "Anmälarens egen text ändras aldrig. Våldskoder markerar ärendet för våld."), wordWrap=True))
        self.codes = QListWidget()
        self.codes.setObjectName("concernCodes")
        for code, entry in codes().concern_categories.items():
            item = QListWidgetItem(entry.label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setCheckState(Qt.CheckState.Checked if code in current else Qt.CheckState.Unchecked)
            self.codes.addItem(item)
        layout.addWidget(self.codes)
        layout.addWidget(QLabel(self.tr("Skäl till rättelsen (krävs, sparas i ärendet):")))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("concernReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Spara rättelsen"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 520)

    def checked(self) -> list[str]:
        return [self.codes.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.codes.count())
                if self.codes.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, wanted: list[str]) -> None:
        for i in range(self.codes.count()):
            item = self.codes.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


def concern_codes_text(concern_codes: list[str] | tuple[str, ...]) -> str:
    """The codes one label a line, sorted, so the side-by-side view compares like with like."""
    return "\n".join(sorted(concern_label(code) for code in concern_codes))


def concern_conflict_dialog(mine: list[str], error: ConcurrentEdit, parent: QWidget) -> ConflictDialog:
    """The worker's codes and the codes another worker saved meanwhile, side by side."""
    return ConflictDialog(
        mine=concern_codes_text(mine), theirs=concern_codes_text(list(error.theirs or [])),
        about=str(error), theirs_title=parent.tr("Orsakerna som nu är sparade"), mergeable=False,
        parent=parent)
