"""Asking for more time than the 14 days for the decision, for synnerliga skäl only.

The worker writes the reasons and picks the new date; a reviewer signs the request in
"Att signera". The reasons are autosaved while typed. Both the original and any extended
date are shown, and both stay on the item after signing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QLocale, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.drafts import SavedDraft, discard_draft
from mottagning.context import Actor
from mottagning.decisions.extensions import request_extension
from mottagning.queue.listing import QueueRow
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.permissions import Action, allowed
from mottagning.rules.status import DECIDED_STATUSES
from mottagning.timeutil import format_date_sv, format_datetime_sv, to_local, utc_now
from ui.decisions.proposal_dialog import show_dialog
from ui.operations import Operations
from ui.widgets.autosave import DraftAutosaver, open_item_draft
from ui.widgets.window_geometry import fit_window

DRAFT_KIND = "deadline_extension"
SWEDISH = QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)
DEFAULT_EXTRA_DAYS = 14


class ExtensionDialog(QDialog):
    sig_requested = Signal(int)  # extension id

    def __init__(self, ops: Operations, actor: Actor, row: QueueRow, *,
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self.item_id, self._clock = ops, actor, row.id, clock
        self.setWindowTitle(self.tr("Förlängd tid för beslut – {child}").format(child=row.child_name))
        intro = QLabel(self.tr(
            "Beslutet om att inleda utredning ska fattas inom 14 dagar. Tiden får förlängas bara "
            "om det finns synnerliga skäl. Förlängningen gäller först när en förste "
            "socialsekreterare eller enhetschef har signerat den."), wordWrap=True)
        current = applicable_decision_due(row.decision_due, row.decision_due_extended)
        form = QFormLayout()
        form.addRow(self.tr("Ursprunglig tidsfrist:"), QLabel(format_date_sv(row.decision_due)))
        if row.decision_due_extended:
            form.addRow(self.tr("Redan förlängd till:"), QLabel(format_date_sv(row.decision_due_extended)))
        self.new_date = QDateEdit(calendarPopup=True)
        self.new_date.setObjectName("newDate")
        self.new_date.setLocale(SWEDISH)
        self.new_date.calendarWidget().setLocale(SWEDISH)
        self.new_date.setDisplayFormat("d MMMM yyyy")
        first = to_local(current).date() + timedelta(days=1)
        self.new_date.setMinimumDate(QDate(first.year, first.month, first.day))
        default = first + timedelta(days=DEFAULT_EXTRA_DAYS - 1)
        self.new_date.setDate(QDate(default.year, default.month, default.day))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("extensionReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("Varför beslutet inte kan fattas inom tidsfristen"))
        new_date_label = QLabel(self.tr("&Nytt datum:"))
        new_date_label.setBuddy(self.new_date)
        reason_label = QLabel(self.tr("&Synnerliga skäl (krävs):"))
        reason_label.setBuddy(self.reason)
        form.addRow(new_date_label, self.new_date)
        form.addRow(reason_label, self.reason)
        self.status = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Skicka för signering"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Stäng (texten sparas)"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        fit_window(self, "extension", QSize(560, 420))
        self.reason.setFocus()

        self.autosaver = DraftAutosaver(ops, actor, kind=DRAFT_KIND, key=str(row.id),
                                        collect=self.collect, parent=self)
        self.autosaver.sig_draft_found.connect(self._restore)
        self.autosaver.sig_saved.connect(
            lambda saved: self.status.setText(self.tr("Utkast sparat {when}").format(
                when=format_datetime_sv(saved.saved_at))))
        self.reason.textChanged.connect(self.autosaver.schedule)
        self.new_date.dateChanged.connect(self.autosaver.schedule)
        self.autosaver.check()

    def collect(self) -> dict[str, Any]:
        return {"reason": self.reason.toPlainText(),
                "new_date": self.new_date.date().toPython().isoformat()}

    def _restore(self, draft: SavedDraft) -> None:
        self.reason.setPlainText(draft.content.get("reason", ""))
        saved = QDate.fromString(draft.content.get("new_date", ""), Qt.DateFormat.ISODate)
        if saved.isValid():
            self.new_date.setDate(saved)
        self.status.setText(self.tr("Ditt utkast från {when} är återställt.").format(
            when=format_datetime_sv(draft.saved_at)))
        self.autosaver.start()

    def submit(self) -> None:
        self.autosaver.save_now()
        actor, item_id, key = self._actor, self.item_id, self.autosaver.key
        reason, new_date = self.reason.toPlainText(), self.new_date.date().toPython()
        now = self._clock()

        def request(session):  # type: ignore[no-untyped-def]
            result = request_extension(session, actor, item_id, reason=reason, new_date=new_date,
                                       now=now)
            discard_draft(session, actor, kind=DRAFT_KIND, key=key)
            return result

        self._ops.mutate(request, success=self._requested)

    def _requested(self, result: Any) -> None:
        self.autosaver.stop()
        self.sig_requested.emit(result.extension_id)
        self.accept()

    def reject(self) -> None:  # Qt override: closing keeps the text
        self.autosaver.save_now()
        super().reject()


class ExtensionAction(QObject):
    """"Begär förlängd tid för beslut…" on the queue's selected, not yet decided item."""

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window = window
        self.extension_dialog: ExtensionDialog | None = None
        self.action = QAction(self.tr("Begär förlängd tid för beslut (synnerliga skäl)…"), window)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.open)
        window.menu(self.tr("Ä&rende")).addAction(self.action)
        window.sig_current_item_changed.connect(lambda _id: self._update())
        window.model.sig_loaded.connect(self._update)

    def _usable(self, row: QueueRow | None) -> bool:
        # More time can only be asked for while the deadline is still running.
        return (row is not None and row.status not in DECIDED_STATUSES
                and self._window._clock() <= applicable_decision_due(row.decision_due, row.decision_due_extended))

    def _update(self) -> None:
        self.action.setEnabled(self._usable(self._window.selected_row()))

    def open(self) -> ExtensionDialog | None:
        row = self._window.selected_row()
        if not self._usable(row):
            return None
        window = self._window
        dialog = ExtensionDialog(window.ops, window.actor, row, clock=window._clock, parent=window)
        dialog.sig_requested.connect(lambda _id: window.statusBar().showMessage(
            self.tr("Begäran om förlängning är skickad för signering."), 10000))
        show_dialog(self, "extension_dialog", dialog)
        return dialog


def install_action(window) -> ExtensionAction | None:  # type: ignore[no-untyped-def]
    if not allowed(window.actor.roles, Action.PROPOSE_DECISION):
        return None
    action = ExtensionAction(window)
    window.draft_openers[DRAFT_KIND] = lambda key: open_item_draft(
        window, key, lambda _window: action.open())
    return action
