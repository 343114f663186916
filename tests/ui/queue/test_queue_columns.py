"""The queue's columns on a laptop: the child's risk flags and the time left are in view
without scrolling sideways; a worker hides what they do not need, and it stays so."""

from __future__ import annotations

from datetime import datetime

from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput
from tests.core.factories import register_simple
from ui.queue.model import Column


def _right_edge(window, column: Column) -> int:  # type: ignore[no-untyped-def]
    header = window.table.horizontalHeader()
    return header.sectionViewportPosition(column) + header.sectionSize(column)


def test_flags_time_left_and_status_are_in_view_at_1280x720(
    database: Database, worker: Actor, now: datetime, make_window
):
    register_simple(database, worker, now=now, immediate_danger=True,
                    children=(ChildInput(name="Ella Andersson", personnummer="20150312-2382"),))
    window = make_window(worker)
    window.resize(1280, 720)
    viewport = window.table.viewport().width()
    assert window.width() <= 1280
    for column in (Column.URGENCY, Column.CHILD, Column.FLAGS, Column.PROTECTION_LEFT):
        assert _right_edge(window, column) <= viewport, (column, viewport)
    header = window.table.horizontalHeader()
    assert [header.logicalIndex(n) for n in range(4)] == [
        Column.URGENCY, Column.CHILD, Column.FLAGS, Column.PROTECTION_LEFT]


def test_a_hidden_column_stays_hidden_in_the_next_window_and_the_child_always_shows(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    register_simple(database, worker, now=now,
                    children=(ChildInput(name="Ola Berg", personnummer="20120101-2389"),))
    window = make_window(worker)
    actions = {action.text(): action for action in window.column_actions()}
    assert set(actions) >= {"Barn", "Flaggor", "Anmälare", "Oro", "Handläggare"}
    assert all(action.isChecked() for action in actions.values())
    assert not actions["Barn"].isEnabled()
    actions["Anmälare"].setChecked(False)
    window.show_column(Column.CHILD, False)
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(Column.REPORTER)
    assert not header.isSectionHidden(Column.CHILD)
    window.close()

    again = make_window(worker)
    header = again.table.horizontalHeader()
    assert header.isSectionHidden(Column.REPORTER)
    assert not header.isSectionHidden(Column.CONCERNS)
    assert not header.isSectionHidden(Column.CHILD)
    shown = {action.text(): action.isChecked() for action in again.column_actions()}
    assert shown["Anmälare"] is False and shown["Oro"] is True
