"""The open alarms: what happened, and acknowledging one with a written reason."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor, Changes
from mottagning.intake.alarms import AlarmView, acknowledge_alarm, list_open_alarms
from mottagning.intake.quarantine import QUARANTINE_KINDS
from mottagning.timeutil import format_datetime_sv
from ui.operations import Operations
from ui.widgets.window_geometry import fit_window


class AlarmsDialog(QDialog):
    sig_open_quarantine = Signal(int)  # alarm id

    def __init__(self, ops: Operations, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.actor = actor
        self.setWindowTitle(self.tr("Öppna larm"))
        fit_window(self, "alarms", QSize(900, 420))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Larmen står kvar tills någon har tagit hand om dem. En saknad inlämning eller en "
            "tyst e-tjänst kvitteras med en motivering; en fil i karantän registreras för hand "
            "eller markeras som ”inte en anmälan”."))
        intro.setWordWrap(True)  # the dialog must fit a small screen
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.acknowledge_button = QPushButton(self.tr("Kvittera med motivering…"))
        self.acknowledge_button.clicked.connect(self.acknowledge_current)
        self.quarantine_button = QPushButton(self.tr("Öppna filen i karantän…"))
        self.quarantine_button.clicked.connect(self._open_quarantine)
        buttons.addWidget(self.acknowledge_button)
        buttons.addWidget(self.quarantine_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        # a file handled in the quarantine dialog (or anywhere) leaves this list at once
        ops.sig_operation_executed.connect(self._on_changes)
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.alarms:
            self.reload()

    def reload(self) -> None:
        self.ops.query(list_open_alarms, success=self._show)

    def _show(self, alarms: list[AlarmView]) -> None:
        self.list.clear()
        for alarm in alarms:
            text = self.tr("{kind} – sedan {when}\n{detail}").format(
                kind=alarm.kind_label, when=format_datetime_sv(alarm.opened_at), detail=alarm.detail)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, alarm)
            self.list.addItem(item)
        if not alarms:
            self.list.addItem(QListWidgetItem(self.tr("Inga öppna larm.")))
        self.list.setCurrentRow(0)
        self._update_buttons()

    def current_alarm(self) -> AlarmView | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        alarm = self.current_alarm()
        quarantine = alarm is not None and alarm.kind in QUARANTINE_KINDS
        self.acknowledge_button.setEnabled(alarm is not None and not quarantine)
        self.quarantine_button.setEnabled(quarantine)

    def acknowledge_current(self, reason: str | None = None) -> None:
        alarm = self.current_alarm()
        if alarm is None:
            return
        if not reason:
            reason, ok = QInputDialog.getMultiLineText(
                self, self.tr("Kvittera larm"),
                self.tr("Varför kan larmet kvitteras? (sparas i loggen)"))
            if not ok:
                return
        self.ops.mutate(lambda session: acknowledge_alarm(session, self.actor, alarm.id, reason=reason))

    def _open_quarantine(self) -> None:
        alarm = self.current_alarm()
        if alarm is not None:
            self.sig_open_quarantine.emit(alarm.id)
