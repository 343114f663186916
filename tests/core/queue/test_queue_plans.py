"""The queue's page queries are bounded index range scans on both databases: EXPLAIN shows
the urgency index and no sort, so an index cannot silently disappear (a slow queue at a
million reports would be the first sign otherwise)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from mottagning.db.database import Database
from mottagning.queue.keyset import (
    Listing,
    MassReportRule,
    QueueCursor,
    count_listed,
    tier_query,
)
from mottagning.rules.urgency import Tier, tier_ranges

SOON = timedelta(hours=4)


def _explain(session: Session, query: Any) -> list[str]:
    """The plan of `query` as executed (its parameters bound by SQLAlchemy): SQLite's
    EXPLAIN QUERY PLAN lines, or PostgreSQL's plan nodes as 'Node Type Index Name'."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # On a small test database a sequential scan and a sort are cheapest; forbid them so
        # the plan is the one a large database gets, and a missing index shows as a Seq Scan
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_sort = off"))
    plans: list[list[Any]] = []

    def explain(_conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        prefix = "EXPLAIN (FORMAT JSON) " if postgres else "EXPLAIN QUERY PLAN "
        cursor.execute(prefix + statement, parameters)
        plans.append(cursor.fetchall())

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", explain)
    try:
        session.execute(query).all()
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    rows = plans[-1]  # the query itself (connection set-up may run statements first)
    if not postgres:
        return [row[3] for row in rows]
    document = rows[0][0]
    document = json.loads(document) if isinstance(document, str) else document
    return [f"{node['Node Type']} {node.get('Index Name', '')}".strip()
            for node in _nodes(document[0]["Plan"])]


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _listings(now: datetime) -> list[Listing]:
    return [
        Listing(now=now, protection_soon=SOON),
        Listing(now=now, protection_soon=SOON, group=MassReportRule()),
        Listing(now=now, protection_soon=SOON, assigned_to_id=1),
        Listing(now=now, protection_soon=SOON, include_closed=True, group=MassReportRule(),
                assigned_to_id=1),
    ]


def _page_queries(now: datetime) -> Iterator[tuple[str, Listing, Any]]:
    for listing in _listings(now):
        for tier in listing.tiers():
            cursor = QueueCursor(now=now, tier=int(tier), next_due=now, item_id=7)
            for stretch in tier_ranges(tier, now=now, protection_soon=SOON):
                for after in (None, cursor):
                    yield (f"{tier.name} {stretch.kind.name} after={after is not None}",
                           listing, tier_query(stretch, tier, listing, after=after).limit(200))


def _index(listing: Listing) -> str:
    return "ix_queue_items_urgency" if listing.assigned_to_id is None else "ix_queue_items_assigned_urgency"


def test_every_page_query_is_an_index_range_scan_without_a_sort(database: Database, now) -> None:
    with database.transaction() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        for name, listing, query in _page_queries(now):
            plan = _explain(session, query)
            if postgres:
                driving = [n for n in plan if n.endswith(_index(listing))]
                assert driving and driving[0].startswith("Index Scan"), (name, plan)
                assert not any(n.startswith(("Sort", "Seq Scan on", "Incremental Sort")) for n in plan), (name, plan)
                assert not any(n.startswith("Seq Scan") for n in plan), (name, plan)
            else:
                assert plan[0].startswith(f"SEARCH queue_items USING INDEX {_index(listing)} ("), (name, plan)
                assert not any("TEMP B-TREE" in line for line in plan), (name, plan)
                assert not any(line.startswith("SCAN") for line in plan), (name, plan)


def test_the_mass_report_check_reads_only_the_childs_own_items(database: Database, now) -> None:
    listing = Listing(now=now, protection_soon=SOON, group=MassReportRule())
    stretch = tier_ranges(Tier.NEXT_DEADLINE, now=now, protection_soon=SOON)[0]
    with database.transaction() as session:
        plan = _explain(session, tier_query(stretch, Tier.NEXT_DEADLINE, listing).limit(200))
    # both correlated checks (the child's recent reports, its open items) seek an index led
    # by the child (ix_queue_items_child_urgency, or the statistics' ix_queue_items_stats_child)
    child_seeks = [line for line in plan if "ix_queue_items_" in line and "child" in line
                   and not line.startswith("SCAN")]
    assert len(child_seeks) == 2, plan
    assert not any(line.startswith("SCAN") or "Seq Scan" in line for line in plan), plan


@pytest.mark.parametrize("grouped", [False, True])
def test_the_total_is_counted_on_indexes(database: Database, now, grouped: bool) -> None:
    listing = Listing(now=now, protection_soon=SOON, group=MassReportRule() if grouped else None)
    plans: list[list[Any]] = []

    def explain(_conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if database.url.startswith("sqlite"):
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append([row[3] for row in cursor.fetchall()])

    with database.transaction() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", explain)
        try:
            assert count_listed(session, listing) == 0
        finally:
            event.remove(engine, "before_cursor_execute", explain)
    for plan in plans:
        assert not any(line.startswith("SCAN queue_items") and "INDEX" not in line for line in plan), plan


def test_a_dropped_urgency_index_does_not_go_unnoticed(database: Database, now) -> None:
    listing = Listing(now=now, protection_soon=SOON)
    stretch = tier_ranges(Tier.PROTECTION_OVERDUE, now=now, protection_soon=SOON)[0]
    query = tier_query(stretch, Tier.PROTECTION_OVERDUE, listing).limit(200)
    with database.transaction() as session:
        assert any("ix_queue_items_urgency" in line for line in _explain(session, query))
    with pytest.raises(Exception, match="ix_queue_items_urgency|Sort|Seq Scan"):  # noqa: B017, PT011
        with database.transaction() as session:
            session.execute(text("DROP INDEX ix_queue_items_urgency"))
            plan = _explain(session, query)
            assert not any(n.startswith(("Sort", "Seq Scan")) for n in plan), plan
