"""The bulk demo writes through Core what the services would: a chain that verifies, signed
decisions that match their signatures, stored urgency keys that follow the rule, and a
queue of the right size and shape."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, inspect, select

from mottagning.audit.chain import verify
from mottagning.db.database import Database
from mottagning.decisions.integrity import verify_signed_decisions
from mottagning.demo_bulk import fill_bulk
from mottagning.models import Decision, QueueItem, Report
from mottagning.rules.urgency import next_due, urgency_class


def test_the_bulk_demo_keeps_the_audit_chain_and_the_signatures_intact(
    database: Database, now
) -> None:
    steps: list[tuple[int, int]] = []
    result = fill_bulk(database, reports=2_500, seed=3, now=now,
                       progress=lambda done, total, _label: steps.append((done, total)))
    assert steps[-1] == (2_500, 2_500)
    with database.transaction() as session:
        chain = verify(session, anchor_file_required=False)
        assert chain.ok, chain.problem
        assert chain.events_checked == result.audit_events
        decisions = verify_signed_decisions(session)
        assert decisions.ok, decisions.problems[:3]
        assert decisions.checked > 0
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 2_500


def test_the_bulk_demo_has_realistic_shares_and_current_urgency_keys(database: Database, now) -> None:
    result = fill_bulk(database, reports=3_000, seed=5, now=now)
    assert 0.01 <= result.open_items / result.items <= 0.05
    with database.transaction() as session:
        items = session.execute(select(QueueItem)).scalars().all()
        for item in items:
            assert item.urgency_class == urgency_class(status=item.status,
                                                       immediate_danger=item.flag_immediate_danger)
            assert item.next_due == next_due(status=item.status, protection_due=item.protection_due,
                                             decision_due=item.decision_due,
                                             decision_due_extended=item.decision_due_extended)
        children = {item.child_id for item in items}
        assert len(children) < len(items)  # repeat children
        outcomes = session.execute(select(Decision.outcome).where(Decision.status == "signed")).scalars().all()
        investigated = outcomes.count("inleda_utredning") / len(outcomes)
        assert 0.3 <= investigated <= 0.46
        assert max(item.received_at for item in items) <= now
        assert min(item.received_at for item in items) >= now - timedelta(days=366)


def test_the_bulk_demo_leaves_every_index_of_the_schema_in_place(database: Database, now) -> None:
    def indexes() -> set[tuple[str, str]]:
        found = inspect(database.engine)
        return {(table, index["name"]) for table in found.get_table_names()
                for index in found.get_indexes(table)}

    before = indexes()
    assert any(table == "audit_events" for table, _name in before)
    fill_bulk(database, reports=500, seed=7, now=now)
    assert indexes() == before


def test_while_the_bulk_demo_loads_the_summary_triggers_still_seek_by_index(
    database: Database,
) -> None:
    """The statistics triggers (migration 0080) run for every row the load inserts: each of
    their look-ups must have an index left while the others are dropped, or the load grows
    with the square of its size."""
    from sqlalchemy import text

    from mottagning.demo_bulk import _drop_indexes

    lookups = (
        "SELECT q.id FROM queue_items q WHERE q.child_id = 1",  # a child's row fires
        "SELECT o.id FROM queue_items o WHERE o.report_id = 1",  # an item's report
        "SELECT min(d.signed_at) FROM decisions d WHERE d.status = 'signed' AND d.item_id = 1",
        "SELECT a.finished_at FROM assessments a WHERE a.item_id = 1 AND a.finished_at IS NOT NULL",
    )
    with database.transaction() as session:
        recreate = _drop_indexes(session)
        assert recreate  # the load did drop indexes
        for lookup in lookups:
            if database.embedded:
                plan = " ".join(str(row[-1]) for row in session.execute(
                    text(f"EXPLAIN QUERY PLAN {lookup}")))
                assert plan.startswith("SEARCH") and "SCAN" not in plan, (lookup, plan)
            else:
                session.execute(text("SET LOCAL enable_seqscan = off"))
                plan = str(session.execute(text(f"EXPLAIN (FORMAT JSON) {lookup}")).scalar_one())
                assert "Seq Scan" not in plan and "Index Cond" in plan, (lookup, plan)
        session.rollback()
