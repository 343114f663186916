"""The queue model re-reads only what changed and keeps its rows in a bounded cache."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput
from mottagning.models import QueueItem
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.queue import model as queue_model
from ui.queue.model import Column

H = timedelta(hours=1)


def _names(window) -> list[str]:  # type: ignore[no-untyped-def]
    model = window.model
    return [model.index(r, Column.CHILD).data() for r in range(model.rowCount())]


def _three(database: Database, worker: Actor, now: datetime) -> list[int]:
    ids = []
    for n, name in enumerate(("Ada Ek", "Bo Ek", "Cid Ek")):
        result = register_simple(database, worker, now=now, offset=(3 - n) * H,
                                 children=(ChildInput(name=name),))
        ids.append(result.item_ids[0])
    return ids


def test_refresh_items_moves_a_row_and_keeps_the_selection(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    ids = _three(database, worker, now)
    window = make_window(worker)
    assert _names(window) == ["Ada Ek", "Bo Ek", "Cid Ek"]
    window.select_item(ids[1])
    with database.transaction() as session:
        session.get(QueueItem, ids[2]).flag_immediate_danger = True
    window.model.refresh_items([ids[2]])
    qtbot.waitUntil(lambda: _names(window)[0] == "Cid Ek", timeout=WAIT_MS)
    assert _names(window) == ["Cid Ek", "Ada Ek", "Bo Ek"]
    assert window.selected_item_id() == ids[1]
    assert window.table.selectionModel().isRowSelected(2)


def test_refresh_items_removes_a_row_that_left_the_queue(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    ids = _three(database, worker, now)
    window = make_window(worker)
    window.select_item(ids[2])
    with database.transaction() as session:
        session.get(QueueItem, ids[0]).status = "closed"
    window.model.refresh_items([ids[0]])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=WAIT_MS)
    assert _names(window) == ["Bo Ek", "Cid Ek"]
    assert window.selected_item_id() == ids[2]


def test_the_periodic_refresh_rereads_only_changed_items(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    ids = []
    for registered, name in ((now - 24 * H, "Ada Ek"), (now - 24 * H, "Bo Ek"), (now, "Cid Ek")):
        result = register_simple(database, worker, now=registered, children=(ChildInput(name=name),))
        ids.append(result.item_ids[0])
    window = make_window(worker)
    assert _names(window) == ["Ada Ek", "Bo Ek", "Cid Ek"]
    with database.transaction() as session:
        # a change that does not mark the item as updated is not re-read ...
        session.get(QueueItem, ids[0]).child.name = "Ada Omläst"
        # ... one that does is
        changed = session.get(QueueItem, ids[1])
        changed.child.name = "Bo Ändrad"
        changed.updated_at = now + H
    window.refresh()
    qtbot.waitUntil(lambda: "Bo Ändrad" in _names(window), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    assert _names(window) == ["Ada Ek", "Bo Ändrad", "Cid Ek"]


def test_rows_leave_the_cache_and_are_read_again_when_shown(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(queue_model, "ROW_CACHE", 5)
    for n in range(12):
        register_simple(database, worker, now=now, offset=(n + 1) * timedelta(minutes=1),
                        children=(ChildInput(name=f"Barn {n:02d}"),))
    window = make_window(worker)
    window.table.hide()  # only the rows read below are shown
    model = window.model
    assert model.rowCount() == 12
    assert len(model._rows) <= 5
    assert model.index(0, Column.CHILD).data() is None  # pushed out: read again
    qtbot.waitUntil(lambda: model.index(0, Column.CHILD).data() == "Barn 11", timeout=WAIT_MS)
    assert len(model._rows) <= 5


def test_time_left_follows_the_clock_without_a_reread(
    database: Database, worker: Actor, now: datetime, qtbot: QtBot
):
    """The texts are made once per row, and again only when the clock has moved a shown time
    to another minute: no database read, no call that formats every cell on each paint."""
    from ui.main_window import MainWindow

    register_simple(database, worker, now=now, offset=H, children=(ChildInput(name="Ada Ek"),))
    moment = [now]
    window = MainWindow(database, worker, extensions=(), clock=lambda: moment[0])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.loaded_once, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    model = window.model
    cell = model.index(0, Column.PROTECTION_LEFT)
    before = cell.data()
    assert model.data(cell) == before  # the same text while the clock stands still
    texts = model._texts[model.row_at(0).id]
    moment[0] = now + timedelta(seconds=30)  # within the minute: the same texts object
    if moment[0] <= texts.valid_until:
        assert cell.data() == before and model._texts[model.row_at(0).id] is texts
    moment[0] = now + 30 * H  # the skyddsbedömning is overdue now
    assert cell.data().startswith("försenad")
    assert model.index(0, Column.URGENCY).data() == "Försenad"
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is not None
    assert window.ops.idle  # nothing was read again
    window.close()
