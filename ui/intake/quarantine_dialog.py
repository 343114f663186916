"""A file in quarantine: the raw content and the error, and what a person decides."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor
from mottagning.intake.quarantine import QuarantinedFile, dismiss_quarantined, read_quarantined
from mottagning.rules.permissions import Action, allowed
from mottagning.terminal import one_line
from mottagning.timeutil import format_datetime_sv
from ui.operations import Operations
from ui.widgets.window_geometry import fit_window


class QuarantineDialog(QDialog):
    """Shows one quarantined file; "Registrera för hand" hands its readable parts to
    `register_by_hand(alarm_id, partial, receipt)` (the registration dialog, prefilled)."""

    def __init__(self, ops: Operations, actor: Actor, alarm_id: int, *,
                 register_by_hand: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.actor = actor
        self.alarm_id = alarm_id
        self._register_by_hand = register_by_hand
        self.shown: QuarantinedFile | None = None
        self.setWindowTitle(self.tr("Fil i karantän"))
        fit_window(self, "quarantine", QSize(900, 640))
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        # File names and reasons come from outside: never interpreted as rich text.
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.heading)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.error)
        layout.addWidget(QLabel(self.tr("Filens innehåll, exakt som det kom:")))
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setFont(QFont("DejaVu Sans Mono", 9))
        layout.addWidget(self.raw, 1)
        buttons = QHBoxLayout()
        self.register_button = QPushButton(self.tr("Registrera för hand…"))
        self.register_button.clicked.connect(self._register)
        self.dismiss_button = QPushButton(self.tr("Inte en anmälan…"))
        self.dismiss_button.clicked.connect(lambda: self.dismiss())
        self.register_button.setEnabled(False)
        self.dismiss_button.setEnabled(False)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.may_read = actor.may(Action.READ_CASE)
        if self.may_read:
            ops.query(lambda session: read_quarantined(session, actor, alarm_id),
                      success=self._show, failure=self._failed)
        else:
            # The file may be a report: only roles that read cases see it.
            self.raw.setPlainText(self.tr(
                "Filens innehåll visas bara för den som får läsa ärenden. "
                "Be en socialsekreterare registrera eller avfärda filen."))

    def _failed(self, error: BaseException) -> None:
        self.ops.errors.show_error(error)
        self.reject()

    @property
    def read_only(self) -> bool:
        return self.shown is not None and self.shown.handled_at is not None

    def _show(self, shown: QuarantinedFile) -> None:
        self.shown = shown
        file = shown.file or self.tr("(okänd fil)")
        if shown.handled_at is not None:
            self.setWindowTitle(self.tr("Fil i karantän – redan hanterad"))
            self.heading.setText(self.tr("{file} – redan hanterad {when} av {who}").format(
                file=file, when=format_datetime_sv(shown.handled_at), who=shown.handled_by))
            self.error.setText(self.tr("Skäl: {reason}\n\nFelet när filen kom: {detail}").format(
                reason=shown.handled_reason or "", detail=one_line(shown.detail)))
            self.error.setStyleSheet("")
            self.register_button.hide()
            self.dismiss_button.hide()
        else:
            self.heading.setText(self.tr("{file} – i karantän sedan {when}").format(
                file=file, when=format_datetime_sv(shown.opened_at)))
            self.error.setText(one_line(shown.detail))
            self.register_button.setEnabled(self._register_by_hand is not None)
            self.dismiss_button.setEnabled(allowed(self.actor.roles, Action.READ_CASE))
        text = shown.raw_text
        if shown.truncated:
            text += "\n\n" + self.tr("[… filen är längre än vad som visas här]")
        self.raw.setPlainText(text)

    def _register(self) -> None:
        if self._register_by_hand is not None and self.shown is not None and not self.read_only:
            self._register_by_hand(self.alarm_id, self.shown.partial or {}, self.shown.receipt)
            self.accept()

    def dismiss(self, reason: str | None = None) -> None:
        if self.shown is None or self.read_only:
            return
        if not reason:
            reason, ok = QInputDialog.getMultiLineText(
                self, self.tr("Inte en anmälan"),
                self.tr("Varför är filen inte en anmälan? (sparas i loggen)"))
            if not ok:
                return
        self.ops.mutate(
            lambda session: dismiss_quarantined(session, self.actor, self.alarm_id, reason=reason),
            success=lambda _changes: self.accept(),
        )
