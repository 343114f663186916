"""The loggkontroll page answers "who read this child's case?" and lists unusual access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.queue.items import assign_items
from mottagning.queue.listing import open_item
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.audit.loggkontroll import LoggkontrollPage

SUNDAY_NIGHT = datetime(2026, 11, 22, 22, 15, tzinfo=UTC)  # 23.15 in Stockholm


def _reads(database: Database, worker: Actor, senior: Actor, now: datetime) -> int:
    item = register_simple(database, worker, now=now - timedelta(days=3)).item_ids[0]
    with database.transaction() as session:
        assign_items(session, senior, [item], worker.user_id, now=now - timedelta(days=3))
        open_item(session, worker, item, now=now - timedelta(days=1))  # Monday 10.30
        open_item(session, worker, item, now=SUNDAY_NIGHT)
        open_item(session, senior, item, now=now - timedelta(hours=1))
    return item


def test_searching_a_child_shows_who_read_the_case_and_the_unusual_reads(
    qtbot: QtBot, ops, database: Database, worker: Actor, senior: Actor, now
) -> None:
    _reads(database, worker, senior, now)
    page = LoggkontrollPage(ops, senior, today=now.date())
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.sig_reviewed, timeout=WAIT_MS):
        page.show_child("20150312-2382")
    summary = page.summary.text()
    assert "Ella Andersson (20150312-2382) har lästs av 2 personer" in summary
    assert "Anna Testsson 2 gånger" in summary and "Maria Testsson en gång" in summary
    assert [r.actor for r in page.readers_model.rows] == ["maria", "anna"]
    kinds = sorted((u.kind, u.actor) for u in page.unusual_model.rows)
    assert kinds == [("not_assigned", "maria"), ("outside_hours", "anna")]
    assert page.unusual_box.title() == "Ovanlig åtkomst (2)"
    opened = page.access_model.index(0, 2)
    assert page.access_model.data(opened) in {"Öppnade ärendet", "Fördelade ärendet", "Registrerade ärendet"}


def test_an_unknown_child_gives_a_message_and_the_page_stays_usable(
    qtbot: QtBot, ops, database: Database, senior: Actor, now
) -> None:
    page = LoggkontrollPage(ops, senior, today=now.date())
    qtbot.addWidget(page)
    page.child.setText("Ingen Alls")
    page.search()
    qtbot.waitUntil(lambda: ops.errors.box is not None and ops.errors.box.isVisible(), timeout=WAIT_MS)
    assert "Inget barn matchar" in ops.errors.box.text()
    ops.errors.box.close()
    assert page.search_button.isEnabled()


def test_the_page_is_installed_only_for_loggkontroll_roles(
    make_window, database: Database, worker: Actor, senior: Actor
) -> None:
    assert make_window(worker, extensions=("ui.audit.loggkontroll",)).extensions["ui.audit.loggkontroll"] is None
    window = make_window(senior, extensions=("ui.audit.loggkontroll",))
    page = window.extensions["ui.audit.loggkontroll"]
    assert isinstance(page, LoggkontrollPage)
    assert window.pages.tabText(window.pages.indexOf(page)) == "Loggkontroll"
