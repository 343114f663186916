"""The GUI runs on the window's injected clock, whatever the wall clock says: the queue and
the detail pane give the same answers a year from now (time-machine moves the wall clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.timeutil import utc_now
from tests.conftest import FIXED_NOW
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from tests.ui.queue.test_queue_window import _label_texts
from ui.operations import Operations


def test_a_service_given_no_time_runs_in_the_windows_clock(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
) -> None:
    seen: list[datetime] = []
    with time_machine.travel(datetime.now(UTC) + timedelta(days=365), tick=False):
        ops.query(lambda _session: utc_now(), success=seen.append)
        qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    assert seen == [FIXED_NOW]
    assert abs(utc_now() - datetime.now(UTC)) < timedelta(seconds=5)  # outside: the wall


def test_the_queue_and_the_detail_pane_give_the_same_answers_a_year_later(
    database: Database, worker: Actor, make_window, qtbot: QtBot
) -> None:
    for hours in range(1, 7):  # a burst: one row with a count
        register_simple(database, worker, now=FIXED_NOW, offset=timedelta(hours=hours))
    with time_machine.travel(FIXED_NOW + timedelta(days=365), tick=True):
        window = make_window(worker)
        assert window.model.rowCount() == 1
        assert "(6 öppna ärenden)" in window.model.index(0, 1).data()
        window.select_item(window.model.row_at(0).id)
        qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: any("6 anmälningar senaste 12 månaderna" in text
                                    for text in _label_texts(window)), timeout=WAIT_MS)
