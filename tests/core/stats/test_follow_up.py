"""Follow-up lists: återkoppling due and how it was given; anmälningsmöten on the report."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.models import FeedbackGiven, FeedbackTask
from mottagning.stats.figures import compute_figures
from mottagning.stats.follow_up import (
    feedback_due,
    meetings_summary,
    record_feedback_given,
    record_meeting,
)
from mottagning.stats.period import Period
from tests.core.stats import dataset

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def built(database: Database, worker: Actor, senior: Actor) -> dataset.Dataset:
    return dataset.build(database, worker, senior)


def test_aterkoppling_due_lists_what_is_not_given_earliest_first_and_giving_it_records_how(
    database: Database, built, worker: Actor, assistant: Actor, now: datetime
) -> None:
    items = {v: k for k, v in built.items.items()}
    with database.transaction() as session:
        due = feedback_due(session, worker, now=now)
    assert [(items[d.item_id], d.overdue) for d in due] == [("B1", True), ("C1", True), ("B1", False)]
    assert due[1].as_json()["content_label"] == "Utredning har inletts"
    c1_task = due[1].task_id
    with pytest.raises(PermissionDenied), database.transaction() as session:
        record_feedback_given(session, assistant, c1_task, method="phone", now=now)
    with pytest.raises(ValidationError), database.transaction() as session:
        record_feedback_given(session, worker, c1_task, method="brevduva", now=now)
    with database.transaction() as session:
        record_feedback_given(session, worker, c1_task, method="phone", now=now)
    with database.transaction() as session:
        assert [items[d.item_id] for d in feedback_due(session, worker, now=now)] == ["B1", "B1"]
        task = session.get(FeedbackTask, c1_task)
        assert task is not None and task.done and task.done_at is not None
        given = session.execute(select(FeedbackGiven)).scalar_one()
        assert (given.method, given.recorded_by_id) == ("phone", worker.user_id)


def test_anmalningsmoten_offered_booked_and_held_are_counted_per_report(
    database: Database, built, worker: Actor, senior: Actor, now: datetime
) -> None:
    r1, r2, r3 = built.reports["R1"], built.reports["R2"], built.reports["R3"]
    with database.transaction() as session:
        record_meeting(session, worker, r1, status="offered", now=now)
        record_meeting(session, worker, r1, status="booked", meeting_at=now + timedelta(days=2), now=now)
        record_meeting(session, worker, r1, status="held", now=now + timedelta(days=2))
        record_meeting(session, worker, r2, status="offered", now=now)
        record_meeting(session, worker, r2, status="declined", now=now)
    with pytest.raises(ValidationError, match="bokade"), database.transaction() as session:
        record_meeting(session, worker, r3, status="booked", now=now)
    with database.transaction() as session:
        assert meetings_summary(session, senior, NOVEMBER) == {
            "offered": 2, "booked": 1, "held": 1, "declined": 1}
        figures = compute_figures(session, senior, NOVEMBER, now=now)
    assert figures["report_meetings"] == {"offered": 2, "booked": 1, "held": 1, "declined": 1}
