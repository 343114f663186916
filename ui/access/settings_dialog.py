"""Inställningar → Alla inställningar…: every setting declared in resources/settings.toml, its
Swedish description and the value in force; system administrators change them here.

Each value is saved over the version the dialog showed: a value another administrator saved
meanwhile is shown side by side with the typed one (the conflict dialog), never overwritten
unseen; the typed value stays in its cell until the choice is saved."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.rules.permissions import Action, allowed
from mottagning.settings import SettingChanged, SettingView, change_setting, list_settings
from ui.operations import Operations
from ui.widgets.conflict_dialog import ConflictDialog

VALUE_COLUMN = 1


def value_text(view: SettingView) -> str:
    if view.type == "table":
        return json.dumps(view.value, ensure_ascii=False)
    if view.type == "bool":
        return "ja" if view.value else "nej"
    if view.type == "float":
        return f"{view.value:g}".replace(".", ",")
    return str(view.value)


def parse_value(view: SettingView, text: str) -> Any:
    """The typed value of what was written; a Swedish error names the setting."""
    text = text.strip()
    try:
        if view.type == "int":
            return int(text)
        if view.type == "float":
            return float(text.replace(",", "."))
        if view.type == "bool":
            if text.lower() not in ("ja", "nej"):
                raise ValueError(text)
            return text.lower() == "ja"
        if view.type == "table":
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError(text)
            return value
    except ValueError as exc:
        raise ValidationError([f"”{text}” är inget giltigt värde för {view.description}"]) from exc
    return text


class SettingsDialog(QDialog):
    def __init__(self, ops: Operations, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor = ops, actor
        self.views: list[SettingView] = []
        self.conflict: ConflictDialog | None = None
        self.setWindowTitle(self.tr("Alla inställningar"))
        layout = QVBoxLayout(self)
        hint = QLabel(self.tr("Dubbelklicka på ett värde för att ändra det. Ändringar loggas."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName(self.tr("Inställningar"))
        self.table.setHorizontalHeaderLabels([self.tr("Inställning"), self.tr("Värde"),
                                              self.tr("Standard")])
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Spara"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Stäng"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480)
        self.load()

    def load(self) -> None:
        actor = self._actor
        self._ops.query(lambda session: list_settings(session, actor), success=self._show)

    def _show(self, views: list[SettingView]) -> None:
        self.views = views
        self.table.setRowCount(len(views))
        for row, view in enumerate(views):
            name = QTableWidgetItem(view.description)
            name.setToolTip(view.key)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            default = QTableWidgetItem(value_text(SettingView(**{**view.__dict__, "value": view.default})))
            default.setFlags(default.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, VALUE_COLUMN, QTableWidgetItem(value_text(view)))
            self.table.setItem(row, 2, default)
        self.table.resizeRowsToContents()

    def changed_values(self) -> dict[str, Any]:
        """The values a person changed, typed (raises ValidationError on a bad one)."""
        changes: dict[str, Any] = {}
        for row, view in enumerate(self.views):
            text = self.table.item(row, VALUE_COLUMN).text()
            if text != value_text(view):
                changes[view.key] = parse_value(view, text)
        return changes

    def save(self) -> None:
        try:
            changes = self.changed_values()
        except ValidationError as exc:
            self._ops.errors.show_error(exc)
            return
        if not changes:
            self.accept()
            return
        actor = self._actor
        versions = {view.key: view.version for view in self.views}

        def apply(session):  # type: ignore[no-untyped-def]
            for key, value in changes.items():
                change_setting(session, actor, key, value, expected_version=versions[key])

        self._ops.mutate(apply, success=lambda _result: self.accept(), failure=self._save_failed)

    def _save_failed(self, error: BaseException) -> None:
        if not isinstance(error, SettingChanged):
            self._ops.errors.show_error(error)
            return
        row = next(i for i, view in enumerate(self.views) if view.key == error.key)
        view = self.views[row]
        newer = replace(view, value=error.theirs, version=int(error.version or 0), changed=True)
        self.conflict = ConflictDialog(
            mine=self.table.item(row, VALUE_COLUMN).text(), theirs=value_text(newer), about=str(error),
            theirs_title=self.tr("Värdet som nu är sparat"), parent=self)

        def chosen(result: int) -> None:
            dialog, self.conflict = self.conflict, None
            if dialog is None or result != QDialog.DialogCode.Accepted:
                return  # the typed value stays in its cell
            self.views[row] = newer  # the choice is made over the version now seen
            self.table.item(row, VALUE_COLUMN).setText(dialog.chosen_text())
            dialog.deleteLater()
            self.save()  # the chosen value and any other changes

        self.conflict.finished.connect(chosen)
        self.conflict.open()


def install(window) -> QAction | None:  # type: ignore[no-untyped-def]
    """"Alla inställningar…" in the Inställningar menu, for system administrators."""
    if not allowed(window.actor.roles, Action.MANAGE_SETTINGS):
        return None
    action = QAction(window.tr("Alla inställningar…"), window)

    def open_dialog() -> None:
        dialog = SettingsDialog(window.ops, window.actor, parent=window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    action.triggered.connect(open_dialog)
    window.menu(window.tr("Inställningar")).addAction(action)
    return action
