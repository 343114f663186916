"""Corrections a worker makes from the detail pane: a report's concern codes (with a
reason) and marking a person's protected identity. Each goes through its core service,
which enforces the role and writes the audit event.

A correction saved over one another worker saved since the dialog opened is refused by the
core; `concern_conflict_dialog` then shows both sets of codes side by side. The codes and the
reason being written are autosaved as the worker's draft (a crash loses nothing; opening the
correction again puts them back); saving the correction discards it."""

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

from mottagning.access.drafts import SavedDraft
from mottagning.context import Actor
from mottagning.errors import ConcurrentEdit
from mottagning.intake.concern_flags import CORRECTION_DRAFT_KIND, correction_draft_key
from mottagning.rules.codes import codes, concern_label
from mottagning.timeutil import format_datetime_sv
from ui.operations import Operations
from ui.widgets.autosave import DraftAutosaver
from ui.widgets.conflict_dialog import ConflictDialog


class ConcernCodesDialog(QDialog):
    """The report's concern codes as checkboxes and the reason for the change (required),
    autosaved as the worker's draft of this report's correction."""

    def __init__(self, ops: Operations, actor: Actor, report_id: int, current: tuple[str, ...],
                 parent: QWidget | None = None):
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
        self.status = QLabel()
        self.status.setObjectName("concernDraftStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Spara rättelsen"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 520)
        self.autosave = DraftAutosaver(ops, actor, kind=CORRECTION_DRAFT_KIND,
                                       key=correction_draft_key(report_id),
                                       collect=self.collect, parent=self)
        self.autosave.sig_draft_found.connect(self._restore)
        self.reason.textChanged.connect(self.autosave.schedule)
        self.codes.itemChanged.connect(lambda _item: self.autosave.schedule())
        self.autosave.check()

    def collect(self) -> dict[str, object]:
        return {"codes": self.checked(), "reason": self.reason.toPlainText()}

    def _restore(self, draft: SavedDraft) -> None:
        """A correction left unsaved (a crash, a closed dialog) wins over the saved codes."""
        self.set_checked(list(draft.content.get("codes", [])))
        self.reason.setPlainText(str(draft.content.get("reason", "")))
        self.status.setText(self.tr("Ditt utkast från {when} är återställt.").format(
            when=format_datetime_sv(draft.saved_at)))
        self.autosave.start()

    def done(self, result: int) -> None:  # Qt override: the draft is kept until saved
        self.autosave.save_now()
        self.autosave.stop()
        super().done(result)

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
