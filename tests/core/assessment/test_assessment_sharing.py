"""One skyddsbedömning for a burst of reports about the same child."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mottagning.assessment import NO_IMMEDIATE_NEED
from mottagning.assessment.sharing import items_sharing_candidates, share_assessment
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import ValidationError
from mottagning.models import AuditEvent, QueueItem
from mottagning.rules.status import Status
from tests.core.assessment.test_assessment_service import _fill, _finish, _start
from tests.core.factories import register_simple


def test_a_finished_assessment_counts_for_the_childs_other_received_reports(
    database: Database, worker: Actor, now
) -> None:
    items = [register_simple(database, worker, now=now, offset=timedelta(hours=h)).item_ids[0]
             for h in range(1, 6)]
    state = _fill(database, worker, _start(database, worker, items[0], now).id, now)
    done = _finish(database, worker, state, now, NO_IMMEDIATE_NEED)
    with database.transaction() as session:
        assessment_id, waiting = items_sharing_candidates(session, worker, items[0])
    assert assessment_id == done.id and sorted(waiting) == sorted(items[1:])
    with database.transaction() as session:
        before = len(session.execute(select(AuditEvent.id)).all())
        share_assessment(session, worker, assessment_id, waiting, now=now)
        after = session.execute(select(AuditEvent)).scalars().all()[before:]
        statuses = session.execute(select(QueueItem.status)).scalars().all()
    assert set(statuses) == {Status.PROTECTION_ASSESSED}
    assert len(after) == 4 and all(e.details["assessment_id"] == assessment_id for e in after)


def test_an_unfinished_assessment_or_another_child_is_refused(database: Database, worker: Actor, now) -> None:
    from mottagning.intake.reports import ChildInput

    first = register_simple(database, worker, now=now).item_ids[0]
    other = register_simple(database, worker, now=now, children=(
        ChildInput(name="Noah Lindqvist", personnummer="20170704-1123"),)).item_ids[0]
    state = _start(database, worker, first, now)
    with database.transaction() as session, pytest.raises(ValidationError, match="inte avslutad"):
        share_assessment(session, worker, state.id, [other], now=now)
    state = _fill(database, worker, state.id, now)
    done = _finish(database, worker, state, now, NO_IMMEDIATE_NEED)
    with database.transaction() as session, pytest.raises(ValidationError, match="annat barn"):
        share_assessment(session, worker, done.id, [other], now=now)


def _assessed_first(database: Database, worker: Actor, now, **kwargs) -> tuple[int, int]:
    """The child's first report (received an hour ago), assessed now: (item id, assessment id)."""
    first = register_simple(database, worker, now=now, **kwargs).item_ids[0]
    state = _fill(database, worker, _start(database, worker, first, now).id, now)
    return first, _finish(database, worker, state, now, NO_IMMEDIATE_NEED).id


def test_a_report_received_after_the_assessment_finished_needs_its_own(
    database: Database, worker: Actor, now
) -> None:
    first, assessment_id = _assessed_first(database, worker, now)
    later = now + timedelta(days=4)
    newer = register_simple(database, worker, now=later).item_ids[0]  # received 3 days 23 h after
    with database.transaction() as session:
        assert items_sharing_candidates(session, worker, first) == (assessment_id, [])
    with database.transaction() as session, pytest.raises(ValidationError, match="efter att"):
        share_assessment(session, worker, assessment_id, [newer], now=later)
    with database.transaction() as session:
        assert session.get(QueueItem, newer).status == Status.RECEIVED


@pytest.mark.parametrize("kwargs, match", [
    ({"immediate_danger": True}, "akut fara"),
    ({"concerns": ("forsummelse", "vald_mot_barn")}, "våld"),
    ({"concerns": ("missbruk_vardnadshavare",)}, "Missbruk"),
])
def test_a_report_with_a_flag_or_concern_the_assessment_did_not_consider_needs_its_own(
    database: Database, worker: Actor, now, kwargs, match
) -> None:
    first = register_simple(database, worker, now=now, offset=timedelta(hours=1)).item_ids[0]
    other = register_simple(database, worker, now=now, offset=timedelta(hours=2), **kwargs).item_ids[0]
    state = _fill(database, worker, _start(database, worker, first, now).id, now)
    assessment_id = _finish(database, worker, state, now, NO_IMMEDIATE_NEED).id
    with database.transaction() as session:
        assert items_sharing_candidates(session, worker, first) == (assessment_id, [])
    with database.transaction() as session, pytest.raises(ValidationError, match=match):
        share_assessment(session, worker, assessment_id, [other], now=now)
