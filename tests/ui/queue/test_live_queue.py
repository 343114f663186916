"""The live queue: another desk's registration, claim and signature reach this window
within 2 seconds (NOTIFY on PostgreSQL, the audit log polled on the embedded database),
and only the changed rows are reloaded."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database, create_db_engine
from mottagning.intake.reports import ChildInput
from mottagning.models import QueueItem
from mottagning.queue.items import claim_item
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.operations.notifications import POLL_MS
from ui.queue.model import Column


@pytest.fixture
def other_desk(database: Database):  # type: ignore[no-untyped-def]
    """A second desk: its own engine and connections on the same database."""
    desk = Database(database.url, create_db_engine(database.url))
    yield desk
    desk.dispose()


def _within(database: Database) -> int:
    """The promise: 2 s on a server; the embedded database is polled every POLL_MS."""
    return 2_000 if not database.embedded else POLL_MS + 2_000


def _feed_ready(window, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    feed = window.change_feed
    qtbot.waitUntil(lambda: feed.connected and window.ops.idle, timeout=WAIT_MS)
    if not window.database.embedded:
        time.sleep(0.3)  # the listener's LISTEN is in place


def _assigned(window, item_id: int) -> str | None:  # type: ignore[no-untyped-def]
    position = window.model.row_of(item_id)
    return None if position is None else window.model.index(position, Column.ASSIGNED).data()


def test_a_report_registered_at_another_desk_appears_within_two_seconds(
    database: Database, other_desk: Database, worker: Actor, now: datetime, make_window,
    qtbot: QtBot,
) -> None:
    window = make_window(worker)
    _feed_ready(window, qtbot)
    assert window.model.rowCount() == 0
    result = register_simple(other_desk, worker, now=now)
    qtbot.waitUntil(lambda: window.model.row_of(result.item_ids[0]) is not None,
                    timeout=_within(database))
    assert window.model.index(0, Column.CHILD).data() == "Ella Andersson"


def test_a_claim_at_another_desk_reloads_only_that_row_and_keeps_the_selection(
    database: Database, other_desk: Database, worker: Actor, now: datetime, make_window,
    qtbot: QtBot,
) -> None:
    colleague = make_user(database, "karl", [Role.WORKER])
    first = register_simple(database, worker, now=now).item_ids[0]
    second = register_simple(database, worker, now=now, children=(
        ChildInput(name="Ola Berg", personnummer="20120101-2389"),)).item_ids[0]
    window = make_window(worker)
    _feed_ready(window, qtbot)
    assert window.select_item(second)
    resets, layouts, inserted, changed = [], [], [], []
    model = window.model
    model.modelReset.connect(lambda: resets.append(1))
    model.layoutChanged.connect(lambda *a: layouts.append(1))
    model.rowsInserted.connect(lambda *a: inserted.append(1))
    model.dataChanged.connect(lambda top, bottom, *a: changed.append((top.row(), bottom.row())))
    with other_desk.transaction() as session:
        claim_item(session, colleague, first, now=now)
    qtbot.waitUntil(lambda: _assigned(window, first) == "Karl Testsson", timeout=_within(database))
    assert _assigned(window, second) == "Ej tilldelad"
    row = model.row_of(first)
    assert changed and all(top == bottom == row for top, bottom in changed)
    assert not resets and not layouts and not inserted
    assert window.selected_item_id() == second


def test_jag_tar_den_claims_the_selected_item_and_a_colleagues_earlier_claim_names_them(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    colleague = make_user(database, "karl", [Role.WORKER])
    mine = register_simple(database, worker, now=now).item_ids[0]
    taken = register_simple(database, worker, now=now, children=(
        ChildInput(name="Ola Berg", personnummer="20120101-2389"),)).item_ids[0]
    window = make_window(worker, extensions=("ui.queue.item_actions",))
    actions = window.extensions["ui.queue.item_actions"]
    assert actions.claim in window.table.actions() and actions.claim.shortcut().toString() == "Ctrl+J"
    window.select_item(mine)
    qtbot.waitUntil(lambda: actions.claim.isEnabled(), timeout=WAIT_MS)
    actions.claim.trigger()
    qtbot.waitUntil(lambda: _assigned(window, mine) == "Anna Testsson", timeout=WAIT_MS)
    with database.transaction() as session:  # a moment earlier, at Karl's desk
        claim_item(session, colleague, taken, now=now)
    window.select_item(taken)
    actions.claim.trigger()
    qtbot.waitUntil(lambda: window.ops.errors.box is not None and window.ops.errors.box.isVisible(),
                    timeout=WAIT_MS)
    assert window.ops.errors.box.text().startswith("Karl Testsson har redan tagit ärendet")
    window.ops.errors.box.close()
    with database.transaction() as session:
        assert session.execute(select(QueueItem.assigned_to_id).where(QueueItem.id == taken)
                               ).scalar_one() == colleague.user_id


def test_mina_arenden_shows_only_the_workers_own_items(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    mine = register_simple(database, worker, now=now).item_ids[0]
    register_simple(database, worker, now=now, children=(
        ChildInput(name="Ola Berg", personnummer="20120101-2389"),))
    with database.transaction() as session:
        claim_item(session, worker, mine, now=now)
    window = make_window(worker, extensions=("ui.queue.item_actions",))
    actions = window.extensions["ui.queue.item_actions"]
    assert window.model.rowCount() == 2
    actions.mine.setChecked(True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and window.ops.idle, timeout=WAIT_MS)
    assert window.model.row_at(0).id == mine
    actions.mine.setChecked(False)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=WAIT_MS)


def test_att_signera_and_the_alarm_banner_follow_another_desk(
    database: Database, other_desk: Database, worker: Actor, senior: Actor, now: datetime,
    make_window, qtbot: QtBot,
) -> None:
    from mottagning.access.users import system_actor
    from mottagning.intake.alarms import open_alarm
    from tests.core.decision_helpers import item_in_assessment, propose

    item_id = item_in_assessment(database, worker, now=now)
    window = make_window(senior, extensions=("ui.intake.install", "ui.decisions.signoff_pane"))
    _feed_ready(window, qtbot)
    banner = window.extensions["ui.intake.install"].banner
    tab = next(n for n in range(window.pages.count())
               if window.pages.tabText(n).startswith("Att signera"))
    assert window.pages.tabText(tab) == "Att signera" and not banner.isVisible()

    propose(other_desk, worker, item_id, now=now)  # Anna's desk sends a proposal
    qtbot.waitUntil(lambda: window.pages.tabText(tab) == "Att signera (1)",
                    timeout=_within(database))
    with other_desk.transaction() as session:  # the importer's machine raises an alarm
        open_alarm(session, system_actor(session), kind="importer_failure", key="run:test",
                   source=None, detail="Importen stannade.", now=now)
    qtbot.waitUntil(banner.isVisible, timeout=_within(database))
    assert "Öppna larm: 1" in banner.label.text()
