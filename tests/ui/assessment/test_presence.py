"""Presence: the skyddsbedömning says who else is editing it, before anyone types."""

from __future__ import annotations

from datetime import datetime

from pytestqt.qtbot import QtBot

from mottagning.access.presence import ASSESSMENT, mark_editing, stop_editing
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.rules.permissions import Role
from tests.conftest import FIXED_NOW, make_user
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.assessment.screen import AssessmentScreen


def _open(window, qtbot: QtBot, item_id: int) -> AssessmentScreen:  # type: ignore[no-untyped-def]
    screen = AssessmentScreen(window.ops, window.actor, item_id, clock=lambda: FIXED_NOW,
                              parent=window)
    qtbot.addWidget(screen)
    screen.show()
    screen.load()
    qtbot.waitUntil(lambda: screen.state is not None and window.ops.idle, timeout=WAIT_MS)
    return screen


def test_a_colleague_already_editing_is_named_when_the_form_opens(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    karl = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:  # Karl's desk has it open
        mark_editing(session, karl, kind=ASSESSMENT, item_id=item_id, now=FIXED_NOW)
    window = make_window(worker)
    screen = _open(window, qtbot, item_id)
    qtbot.waitUntil(lambda: screen.presence.isVisible(), timeout=WAIT_MS)
    assert screen.presence.text().startswith("Karl Testsson redigerar den här skyddsbedömningen")
    screen.close()


def test_a_colleague_opening_it_later_appears_and_leaving_disappears(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    karl = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = make_window(worker)
    screen = _open(window, qtbot, item_id)
    assert not screen.presence.isVisible()
    qtbot.waitUntil(lambda: window.change_feed.connected, timeout=WAIT_MS)
    with database.transaction() as session:
        mark_editing(session, karl, kind=ASSESSMENT, item_id=item_id, now=FIXED_NOW)
    if database.embedded:
        screen.close()
        return  # one desk on a file: the next heartbeat shows it; the server notifies at once
    qtbot.waitUntil(lambda: screen.presence.isVisible(), timeout=2_000)
    assert "Karl Testsson" in screen.presence.text()
    with database.transaction() as session:
        stop_editing(session, karl, kind=ASSESSMENT, item_id=item_id)
    qtbot.waitUntil(lambda: not screen.presence.isVisible(), timeout=2_000)
    screen.close()
