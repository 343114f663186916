"""Loggkontroll: who read a child's case, and the unusual access a reviewer should look at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mottagning.audit.review import (
    MANY_CASES_SETTING,
    OFFICE_HOURS_SETTING,
    AuditFilter,
    review_access,
)
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.intake.reports import ChildInput
from mottagning.models import AuditEvent
from mottagning.queue.items import assign_items
from mottagning.queue.listing import open_item
from mottagning.settings import put_setting
from tests.core.factories import register_simple

TUESDAY_10 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)     # 10.00 in Stockholm
TUESDAY_21 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)    # 21.00
SATURDAY_11 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)   # 11.00


def _open(database: Database, actor: Actor, item_id: int, at: datetime) -> None:
    with database.transaction() as session:
        open_item(session, actor, item_id, now=at)


def _review(database: Database, actor: Actor, **filters):
    with database.transaction() as session:
        return review_access(session, actor, AuditFilter(**filters), now=TUESDAY_10)


def test_who_read_this_childs_case_at_a_glance(database: Database, worker: Actor, senior: Actor, now) -> None:
    item = register_simple(database, worker, now=now).item_ids[0]
    _open(database, worker, item, TUESDAY_10)
    _open(database, worker, item, TUESDAY_10 + timedelta(hours=2))
    _open(database, senior, item, TUESDAY_10 + timedelta(hours=1))
    review = _review(database, senior, child="20150312-2382")
    readers = {r.actor: r for r in review.readers}
    assert set(readers) == {"anna", "maria"}
    assert readers["anna"].reads == 2 and readers["anna"].last == TUESDAY_10 + timedelta(hours=2)
    assert review.readers[0].actor == "anna"  # most recent reader first
    assert review.children[0][1] == "Ella Andersson"


def test_read_of_a_case_assigned_to_someone_else_is_unusual(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    item = register_simple(database, worker, now=now).item_ids[0]
    _open(database, senior, item, TUESDAY_10 - timedelta(minutes=30))  # before assignment: fine
    with database.transaction() as session:
        assign_items(session, senior, [item], worker.user_id, now=TUESDAY_10 - timedelta(minutes=10))
    _open(database, worker, item, TUESDAY_10)
    _open(database, senior, item, TUESDAY_10 + timedelta(minutes=5))
    unusual = [u for u in _review(database, senior).unusual if u.kind == "not_assigned"]
    assert [(u.actor, u.item_id) for u in unusual] == [("maria", item)]
    assert "Anna Testsson" in unusual[0].explanation


def test_reads_outside_office_hours_follow_the_setting(
    database: Database, worker: Actor, senior: Actor, admin: Actor, now
) -> None:
    item = register_simple(database, worker, now=now).item_ids[0]
    for moment in (TUESDAY_10, TUESDAY_21, SATURDAY_11):
        _open(database, worker, item, moment)
    flagged = {u.occurred_at for u in _review(database, senior).unusual if u.kind == "outside_hours"}
    assert flagged == {TUESDAY_21, SATURDAY_11}
    with database.transaction() as session:
        put_setting(session, OFFICE_HOURS_SETTING, {"weekdays": [1, 2, 3, 4, 5, 6, 7], "end": "22:00"})
    flagged = {u.occurred_at for u in _review(database, admin).unusual if u.kind == "outside_hours"}
    assert flagged == set()


def test_many_different_children_in_a_short_time_is_one_unusual_stretch(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    items = [
        register_simple(database, worker, now=now,
                        children=(ChildInput(name=f"Barn {n}", personnummer=None,
                                             birth_date=datetime(2015, 1, n + 1).date()),)).item_ids[0]
        for n in range(5)
    ]
    with database.transaction() as session:
        put_setting(session, MANY_CASES_SETTING, {"children": 3, "minutes": 10})
    for n, item in enumerate(items):
        _open(database, worker, item, TUESDAY_10 + timedelta(minutes=2 * n))
    _open(database, senior, items[0], TUESDAY_10 + timedelta(hours=2))
    bursts = [u for u in _review(database, senior).unusual if u.kind == "many_cases"]
    assert len(bursts) == 1
    assert bursts[0].actor == "anna" and len(bursts[0].event_ids) == 5
    assert "5 olika barns" in bursts[0].explanation


def test_review_is_audited_and_needs_the_loggkontroll_role(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    register_simple(database, worker, now=now)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        review_access(session, worker, AuditFilter())
    _review(database, senior, child="Ella")
    with database.transaction() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "audit_reviewed")).scalar_one()
    assert event.user_id == senior.user_id and "Ella" not in str(event.details)
