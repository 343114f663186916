"""Claims: "Jag tar den", who has an item, a senior reassigns, "Mina ärenden"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.models import AuditEvent, QueueItem
from mottagning.queue.items import AlreadyClaimed, assign_items, claim_item, reassign_items
from mottagning.queue.listing import list_queue
from mottagning.rules.permissions import Role
from tests.conftest import FIXED_NOW, make_user
from tests.core.factories import register_simple
from tests.core.processes import run_together


def _claim(database: Database, actor: Actor, item_id: int) -> str:
    with database.transaction() as session:
        claim_item(session, actor, item_id, now=FIXED_NOW)
    return actor.username


def test_claiming_an_item_shows_every_desk_who_has_it(database: Database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    _claim(database, worker, item_id)
    with database.transaction() as session:
        row = list_queue(session, worker, now=now, audit_read=False).rows[0]
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "item_assigned")
                                ).scalar_one()
    assert row.assigned_to == "Anna Testsson"
    assert event.details == {"assigned_to": worker.user_id, "claimed": True}


def test_claiming_what_a_colleague_claimed_says_who_and_changes_nothing(
    database: Database, worker, now
) -> None:
    colleague = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    _claim(database, colleague, item_id)
    with pytest.raises(AlreadyClaimed, match="Karl Testsson har redan tagit ärendet"):
        _claim(database, worker, item_id)
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).assigned_to_id == colleague.user_id


def test_only_a_senior_moves_an_item_someone_else_has(
    database: Database, worker, senior, now
) -> None:
    colleague = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    _claim(database, colleague, item_id)
    with pytest.raises(PermissionDenied), database.transaction() as session:
        assign_items(session, worker, [item_id], worker.user_id, now=now)
    with database.transaction() as session:
        reassign_items(session, senior, [item_id], worker.user_id, now=now)
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).assigned_to_id == worker.user_id


def test_mina_arenden_lists_only_the_workers_own_items(database: Database, worker, now) -> None:
    mine = register_simple(database, worker, now=now).item_ids[0]
    register_simple(database, worker, now=now, offset=timedelta(hours=2))
    _claim(database, worker, mine)
    with database.transaction() as session:
        page = list_queue(session, worker, now=now, audit_read=False, assigned_to_id=worker.user_id,
                          count_total=True)
        everything = list_queue(session, worker, now=now, audit_read=False, count_total=True)
    assert [r.id for r in page.rows] == [mine] and page.total == 1
    assert everything.total == 2


@pytest.mark.postgres
def test_two_desks_claiming_at_the_same_moment_exactly_one_wins(
    database: Database, worker, now
) -> None:
    colleague = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    outcomes = run_together(database.url, _claim, [(worker, item_id), (colleague, item_id)])
    winners = [value for outcome, value in outcomes if outcome == "ok"]
    refusals = [value for outcome, value in outcomes if outcome == "refused"]
    assert len(winners) == 1 and len(refusals) == 1
    winner_name = {"anna": "Anna Testsson", "karl": "Karl Testsson"}[winners[0]]
    assert refusals[0].startswith(f"{winner_name} har redan tagit ärendet")
    with database.transaction() as session:
        claims = session.execute(select(AuditEvent).where(AuditEvent.action == "item_assigned")
                                 ).scalars().all()
    assert len(claims) == 1
