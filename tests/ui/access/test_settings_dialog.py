"""The administrator's settings screen reads the declarations and changes a value through
the audited service; others do not get it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.rules.permissions import Role
from mottagning.settings import change_setting, setting, setting_version
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


def test_a_value_another_admin_saved_meanwhile_is_shown_side_by_side_and_each_choice_saves(
    database: Database, ops: Operations, admin: Actor, qtbot: QtBot
) -> None:
    dialog = SettingsDialog(ops, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=WAIT_MS)
    row = [view.key for view in dialog.views].index("feedback_days")
    other = make_user(database, "olle", [Role.ADMIN])
    with database.transaction() as session:
        change_setting(session, other, "feedback_days", 21, expected_version=0)
    dialog.table.item(row, VALUE_COLUMN).setText("10")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.conflict is not None, timeout=WAIT_MS)
    conflict = dialog.conflict
    assert (conflict.mine.toPlainText(), conflict.theirs.toPlainText()) == ("10", "21")
    conflict.cancel_button.click()  # nothing chosen: the typed value stays, nothing saved
    assert dialog.table.item(row, VALUE_COLUMN).text() == "10"
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 21

    dialog.save()
    qtbot.waitUntil(lambda: dialog.conflict is not None, timeout=WAIT_MS)
    dialog.conflict.mine.setPlainText("12")  # merged by editing
    dialog.conflict.keep_button.click()
    qtbot.waitUntil(lambda: dialog.result() == SettingsDialog.DialogCode.Accepted, timeout=WAIT_MS)
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 12 and setting_version(session, "feedback_days") == 2


def test_using_the_newer_value_keeps_it_and_saves_the_other_changes(
    database: Database, ops: Operations, admin: Actor, qtbot: QtBot
) -> None:
    dialog = SettingsDialog(ops, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=WAIT_MS)
    keys = [view.key for view in dialog.views]
    with database.transaction() as session:
        change_setting(session, make_user(database, "olle", [Role.ADMIN]), "feedback_days", 21)
    dialog.table.item(keys.index("feedback_days"), VALUE_COLUMN).setText("10")
    dialog.table.item(keys.index("idle_lock_minutes"), VALUE_COLUMN).setText("7")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.conflict is not None, timeout=WAIT_MS)
    dialog.conflict.use_button.click()
    qtbot.waitUntil(lambda: dialog.result() == SettingsDialog.DialogCode.Accepted, timeout=WAIT_MS)
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 21 and setting(session, "idle_lock_minutes") == 7
