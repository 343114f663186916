"""Intake in the main window: the alarm banner, the alarms and quarantine dialogs, and the
watched e-service inbox."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from mottagning.access.users import system_actor
from mottagning.assessment.service import report_form_problems
from mottagning.context import Changes
from mottagning.i18n import ngettext
from mottagning.intake.alarms import AlarmView, list_open_alarms
from mottagning.intake.prefill import draft_from_partial
from mottagning.rules.permissions import Action, allowed
from mottagning.settings import inbox_path, set_inbox_path
from ui.intake.alarm_banner import AlarmBanner
from ui.intake.alarms_dialog import AlarmsDialog
from ui.intake.inbox_watcher import InboxWatcher
from ui.intake.quarantine_dialog import QuarantineDialog
from ui.intake.register_dialog import RegisterDialog
from ui.operations.intake import InboxImport

if TYPE_CHECKING:
    from ui.main_window import MainWindow

ALARM_REFRESH_MS = 60_000


class IntakeController(QObject):
    """Owns the intake parts of one main window."""

    def __init__(self, window: MainWindow, *, register_by_hand: Any = None):
        super().__init__(window)
        self.window = window
        self.ops = window.ops
        self.actor = window.actor
        self._register_by_hand = register_by_hand
        self.watcher: InboxWatcher | None = None
        self.banner = AlarmBanner()
        self.banner.sig_show_alarms.connect(self.show_alarms)
        window.add_banner(self.banner)
        self.alarms: list[AlarmView] = []

        menu = window.menu(self.tr("Larm"))
        show = QAction(self.tr("Öppna larm…"), self)
        show.setShortcut(QKeySequence("Ctrl+L"))
        show.triggered.connect(self.show_alarms)
        menu.addAction(show)
        if allowed(self.actor.roles, Action.MANAGE_SETTINGS):
            choose = QAction(self.tr("E-tjänstens inkorg…"), self)
            choose.triggered.connect(self.choose_inbox)
            window.menu(self.tr("Inställningar")).addAction(choose)

        self.ops.sig_operation_executed.connect(self._on_changes)
        window.installEventFilter(self)
        self._timer = QTimer(self, interval=ALARM_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_alarms)
        self._timer.start()
        # A broken assessment form reaches administrators as an alarm, not a worker.
        self.ops.mutate(lambda session: report_form_problems(session, system_actor(session)),
                        success=lambda _opened: self.refresh_alarms())
        self.ops.query(inbox_path, success=self._start_watching)

    def refresh_alarms(self) -> None:
        self.ops.query(list_open_alarms, success=self._show_alarms)

    def _show_alarms(self, alarms: list[AlarmView]) -> None:
        self.alarms = alarms
        self.banner.show_alarms(alarms)

    def _on_changes(self, changes: Changes) -> None:
        if changes.alarms:
            self.refresh_alarms()

    def show_alarms(self) -> AlarmsDialog:
        dialog = AlarmsDialog(self.ops, self.actor, self.window)
        dialog.sig_open_quarantine.connect(self.open_quarantine)
        dialog.finished.connect(lambda _result: self.refresh_alarms())
        dialog.open()
        return dialog

    def open_quarantine(self, alarm_id: int) -> QuarantineDialog:
        dialog = QuarantineDialog(self.ops, self.actor, alarm_id,
                                  register_by_hand=self._register_by_hand, parent=self.window)
        dialog.finished.connect(lambda _result: self.refresh_alarms())
        dialog.open()
        return dialog

    def choose_inbox(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, self.tr("Välj e-tjänstens inkorg"))
        if folder:
            self.ops.mutate(
                lambda session: set_inbox_path(session, self.actor, folder),
                success=lambda _r: self._start_watching(folder),
            )

    def _start_watching(self, folder: str | None) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if not folder or not Path(folder).is_dir():
            return
        self.watcher = InboxWatcher(self.ops, Path(folder), parent=self)
        self.watcher.sig_imported.connect(self._on_imported)
        self.watcher.sig_failed.connect(self._on_import_failed)
        self.watcher.scan()

    def _on_imported(self, result: InboxImport) -> None:
        summary = result.summary
        if summary is not None and summary.registered:
            self.window.statusBar().showMessage(
                ngettext(self.tr("{n} ny anmälan från e-tjänsten."),
                         self.tr("{n} nya anmälningar från e-tjänsten."),
                         summary.registered).format(n=summary.registered), 10_000)
        changes = result.changes
        if changes is None or not changes.alarms:
            # nothing arrived, yet a source may have fallen silent: the banner follows anyway
            # (after an import that changed something, the changes it announces refresh it)
            self.refresh_alarms()

    def _on_import_failed(self, message: str) -> None:
        self.window.statusBar().showMessage(
            self.tr("Importen från inkorgen misslyckades: {message}. Försöker igen.").format(
                message=message), 30_000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self.window and event.type() == QEvent.Type.Close:
            # Before the window's operations shut down: an import must not outlive it.
            self.stop()
        return False

    def stop(self) -> None:
        self._timer.stop()
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None


def install(window: MainWindow) -> IntakeController:
    """The main window's extension hook."""
    def register_by_hand(alarm_id: int, partial: dict[str, Any],
                         receipt: datetime | None = None) -> RegisterDialog:
        dialog = RegisterDialog(window.ops, window.actor, parent=window,
                                quarantine_alarm_id=alarm_id,
                                prefill=draft_from_partial(partial, receipt=receipt),
                                recorded_receipt=receipt)
        dialog.sig_registered.connect(lambda message: window.statusBar().showMessage(message, 10_000))
        dialog.open()
        return dialog

    return IntakeController(window, register_by_hand=register_by_hand)
