"""The administrator's settings screen reads the declarations and changes a value through
the audited service; others do not get it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.rules.permissions import Role
from mottagning.settings import setting
from tests.conftest import make_user
from tests.ui.conftest import WAIT_MS
from ui.access.settings_dialog import VALUE_COLUMN, SettingsDialog
from ui.operations import Operations


def test_an_admin_changes_the_feedback_limit_and_a_bad_value_is_refused_in_swedish(
    database: Database, ops: Operations, admin: Actor, qtbot: QtBot
) -> None:
    dialog = SettingsDialog(ops, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=WAIT_MS)
    keys = [view.key for view in dialog.views]
    assert "demo" not in keys and "audit.database_id" not in keys  # set by the program
    row = keys.index("feedback_days")
    assert dialog.table.item(row, 0).text().startswith("Dagar efter signerat beslut")
    dialog.table.item(row, VALUE_COLUMN).setText("fjorton")
    dialog.save()
    qtbot.waitUntil(lambda: ops.errors.box is not None, timeout=WAIT_MS)
    assert "fjorton" in ops.errors.box.text()
    ops.errors.box.close()
    dialog.table.item(row, VALUE_COLUMN).setText("10")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == SettingsDialog.DialogCode.Accepted, timeout=WAIT_MS)
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 10


def test_only_administrators_get_the_settings_screen(
    database: Database, make_window, worker: Actor
) -> None:
    assert make_window(worker, extensions=("ui.access.settings_dialog",)).extensions[
        "ui.access.settings_dialog"] is None
    # a small unit's manager: senior reviewer and system administrator at once
    manager = make_user(database, "eva", [Role.SENIOR, Role.ADMIN])
    window = make_window(manager, extensions=("ui.access.settings_dialog",))
    assert window.extensions["ui.access.settings_dialog"].text() == "Alla inställningar…"
