"""Presence on a case: who else has the same form open for editing."""

from __future__ import annotations

from datetime import timedelta

from mottagning.access.presence import (
    ASSESSMENT,
    PROPOSAL,
    STALE_AFTER,
    mark_editing,
    others_editing,
    stop_editing,
)
from mottagning.db.database import Database
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple


def test_a_form_opened_at_another_desk_is_named_until_it_closes(
    database: Database, worker, now
) -> None:
    karl = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        assert mark_editing(session, karl, kind=ASSESSMENT, item_id=item_id, now=now) == []
    with database.transaction() as session:
        assert mark_editing(session, worker, kind=ASSESSMENT, item_id=item_id,
                            now=now) == ["Karl Testsson"]
        assert others_editing(session, worker, kind=PROPOSAL, item_id=item_id, now=now) == []
        assert others_editing(session, karl, kind=ASSESSMENT, item_id=item_id,
                              now=now) == ["Anna Testsson"]
    with database.transaction() as session:
        stop_editing(session, karl, kind=ASSESSMENT, item_id=item_id)
    with database.transaction() as session:
        assert others_editing(session, worker, kind=ASSESSMENT, item_id=item_id, now=now) == []


def test_a_desk_that_stopped_beating_no_longer_counts(database: Database, worker, now) -> None:
    karl = make_user(database, "karl", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        mark_editing(session, karl, kind=ASSESSMENT, item_id=item_id, now=now)
    later = now + STALE_AFTER + timedelta(seconds=1)
    with database.transaction() as session:
        assert mark_editing(session, worker, kind=ASSESSMENT, item_id=item_id, now=later) == []
