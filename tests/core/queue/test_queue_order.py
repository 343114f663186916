"""The queue service orders by `rules.urgency.urgency`: the SQL and the function agree."""

from __future__ import annotations

from datetime import timedelta

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import QueueItem
from mottagning.queue.listing import list_child_items, list_queue
from mottagning.rules.urgency import Tier, urgency
from mottagning.settings import put_setting
from tests.core.factories import register_simple

H = timedelta(hours=1)

# (hours before now the report came in, immediate danger, status afterwards, extension)
CASES = [
    (1, False, "received", None),                 # next deadline: protection in 23 h
    (23, False, "received", None),                # protection due within the hour
    (21, False, "received", None),                # protection due in 3 h
    (30, False, "received", None),                # protection overdue
    (2, True, "received", None),                  # immediate danger, not yet assessed
    (40, True, "protection_assessed", None),      # danger, assessed: no longer tier 1
    (15 * 24 + 3, False, "initial_assessment", None),   # decision overdue
    (16 * 24, False, "returned", None),                 # decision overdue, more
    (16 * 24, False, "decision_proposed", 5 * 24),      # extended: next deadline
    (3 * 24, False, "initial_assessment", None),        # decision in ~11 days
    (20 * 24, False, "decision_signed", None),          # decided
    (21 * 24, False, "closed", None),                   # closed
]


def _register_cases(database: Database, worker: Actor, now) -> list[int]:
    ids = []
    for n, (hours, danger, status, extension) in enumerate(CASES):
        result = register_simple(database, worker, now=now, offset=hours * H,
                                 immediate_danger=danger)
        item_id = result.item_ids[0]
        with database.transaction() as session:
            item = session.get(QueueItem, item_id)
            item.status = status
            if extension is not None:
                item.decision_due_extended = now + extension * H
            # one child per report, so no mass-report grouping interferes
            item.child.name = f"Barn {n:02d}"
            item.child.personnummer = None
        ids.append(item_id)
    return ids


def _expected_order(database: Database, ids: list[int], now, soon: timedelta) -> list[int]:
    with database.transaction() as session:
        items = [session.get(QueueItem, i) for i in ids]
        keys = {
            item.id: urgency(status=item.status, immediate_danger=item.flag_immediate_danger,
                             protection_due=item.protection_due, decision_due=item.decision_due,
                             decision_due_extended=item.decision_due_extended, now=now,
                             protection_soon=soon).key(item.id)
            for item in items
        }
    return sorted(ids, key=keys.__getitem__)


def test_the_queue_sql_order_agrees_with_the_urgency_function(
    database: Database, worker: Actor, now
) -> None:
    ids = _register_cases(database, worker, now)
    expected = _expected_order(database, ids, now, 4 * H)
    with database.transaction() as session:
        page = list_queue(session, worker, now=now, include_closed=True)
        grouped = list_queue(session, worker, now=now, include_closed=True, group_mass_reports=True)
    assert [r.id for r in page.rows] == expected
    assert [r.id for r in grouped.rows] == expected
    # the safety tiers in front: danger, overdue, due within the hour, due in 3 h, late decisions
    assert page.rows[0].id == ids[4]
    assert [r.id for r in page.rows[1:4]] == [ids[3], ids[1], ids[2]]
    assert [r.id for r in page.rows[4:6]] == [ids[7], ids[6]]


def test_the_soon_window_is_a_setting(database: Database, worker: Actor, now) -> None:
    ids = _register_cases(database, worker, now)
    with database.transaction() as session:
        put_setting(session, "protection_soon_hours", 2)
    expected = _expected_order(database, ids, now, 2 * H)
    with database.transaction() as session:
        page = list_queue(session, worker, now=now, include_closed=True)
    assert [r.id for r in page.rows] == expected
    # due in 3 h is no longer above the late decisions
    assert [r.id for r in page.rows].index(ids[2]) > [r.id for r in page.rows].index(ids[6])


def test_a_skyddsbedomning_due_in_57_minutes_is_above_twenty_late_decisions(
    database: Database, worker: Actor, now
) -> None:
    for n in range(20):
        result = register_simple(database, worker, now=now, offset=(15 * 24 + n) * H)
        with database.transaction() as session:
            item = session.get(QueueItem, result.item_ids[0])
            item.status = "initial_assessment"
            item.child.name, item.child.personnummer = f"Sen {n:02d}", None
    soon = register_simple(database, worker, now=now, offset=timedelta(hours=23, minutes=3))
    with database.transaction() as session:
        page = list_queue(session, worker, now=now, group_mass_reports=True)
        tier = urgency(status="received", immediate_danger=False,
                       protection_due=page.rows[0].protection_due,
                       decision_due=page.rows[0].decision_due, now=now).tier
    assert page.rows[0].id == soon.item_ids[0]
    assert tier == Tier.PROTECTION_DUE_SOON


def test_a_childs_items_are_listed_in_the_same_order(database: Database, worker: Actor, now) -> None:
    late = register_simple(database, worker, now=now, offset=16 * 24 * H)
    soon = register_simple(database, worker, now=now, offset=22 * H)
    with database.transaction() as session:
        session.get(QueueItem, late.item_ids[0]).status = "initial_assessment"
    with database.transaction() as session:
        child_id = session.get(QueueItem, soon.item_ids[0]).child_id
        rows = list_child_items(session, worker, child_id, now=now)
    assert [r.id for r in rows] == [soon.item_ids[0], late.item_ids[0]]


def test_a_refresh_of_one_item_reads_only_the_range_of_its_own_tier(
        database: Database, worker: Actor, now) -> None:
    from sqlalchemy import event

    from mottagning.queue.listing import reread_items

    ids = _register_cases(database, worker, now)
    with database.transaction() as session:
        listed = {row.id: row for row in list_queue(session, worker, now=now, limit=100,
                                                    include_closed=True).rows}
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT QUEUE_ITEMS.ID"):
            statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        for item_id in ids:
            statements.clear()
            with database.transaction() as session:
                rows = reread_items(session, worker, [item_id], now=now,
                                    include_closed=True).rows
            assert rows == (listed[item_id],)
            # one range read: the item's own tier, whatever the other tiers hold
            assert len(statements) == 1, item_id
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
