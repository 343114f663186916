"""Opening a child reported many times reads a bounded first page of its history (with the
counts and every open item), and the rest page by page on demand (keyset, audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.models import AuditEvent, Child, QueueItem
from mottagning.queue import listing
from mottagning.queue.listing import child_history, history_page, open_item
from tests.core.factories import register_simple

DAYS = (400, 300, 200, 100, 50, 20, 10)


def _register(database: Database, worker: Actor, now) -> list[int]:
    items = [register_simple(database, worker, now=now, offset=timedelta(days=d)).item_ids[0]
             for d in DAYS]
    with database.transaction() as session:
        for item_id in items[:5]:  # the oldest five decided; the newest two open
            session.get(QueueItem, item_id).status = "closed"
    return items


def test_history_is_a_bounded_first_page_with_the_counts_and_open_items(
    database: Database, worker: Actor, now, monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = _register(database, worker, now)
    monkeypatch.setattr(listing, "HISTORY_PAGE", 3)
    with database.transaction() as session:
        child_id = session.execute(select(Child.id)).scalar_one()
        history = child_history(session, worker, child_id, now=now)
    newest_first = list(reversed(items))
    assert [e.item_id for e in history.entries] == newest_first[:3]
    assert history.total == len(DAYS)
    assert history.count_last_12_months == 6
    assert not history.complete
    assert [e.item_id for e in history.open_entries] == newest_first[:2]


def test_the_rest_of_the_history_is_read_page_by_page_and_audited(
    database: Database, worker: Actor, now, monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = _register(database, worker, now)
    monkeypatch.setattr(listing, "HISTORY_PAGE", 3)
    with database.transaction() as session:
        detail = open_item(session, worker, items[-1], now=now)
        before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        read = list(detail.history.entries)
        cursor = detail.history.next_cursor
        while cursor is not None:
            page = history_page(session, worker, detail.row.child_id, after=cursor, limit=3, now=now)
            read.extend(page)
            cursor = (page[-1].received_at, page[-1].item_id) if len(page) == 3 else None
        actions = session.execute(select(AuditEvent.action).order_by(AuditEvent.id)
                                  .offset(before)).scalars().all()
    assert [e.item_id for e in read] == list(reversed(items))
    assert actions == ["history_read", "history_read"]


def test_a_child_reported_once_reads_its_whole_history(database: Database, worker: Actor, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        detail = open_item(session, worker, item_id, now=now)
    assert detail.history.complete and detail.history.next_cursor is None
    assert [e.item_id for e in detail.history.open_entries] == [item_id]


def test_an_assistant_cannot_page_a_history(database: Database, worker: Actor, assistant: Actor,
                                            now) -> None:
    _register(database, worker, now)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        child_id = session.execute(select(Child.id)).scalar_one()
        history_page(session, assistant, child_id, after=(now, 10**9), now=now)
