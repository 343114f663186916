"""Återkoppling closes the feedback task: when the letter is posted, by whoever posts it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.extensions import complete_feedback_task
from mottagning.errors import PermissionDenied
from mottagning.letters.feedback import open_feedback
from mottagning.letters.model import LetterKind
from mottagning.letters.profile import put_profile
from mottagning.letters.service import (
    LetterNotPossible,
    cancel_letter,
    issue_letter,
    mark_printed,
    mark_sent,
)
from mottagning.models import AuditEvent
from mottagning.models.decisions import FeedbackTask
from tests.core.decision_helpers import OPENED, item_in_assessment, propose, sign
from tests.core.letters.test_letters_service import PROFILE, SCHOOL


@pytest.fixture
def decided_item(database: Database, worker: Actor, senior: Actor, admin: Actor, now: datetime) -> int:
    """A signed 'inleda utredning' on a school's report: a feedback task is owed."""
    with database.transaction() as session:
        put_profile(session, admin, PROFILE)
    item_id = item_in_assessment(database, worker, now=now)
    sign(database, senior, propose(database, worker, item_id, OPENED, now=now), now=now)
    return item_id


def issue_feedback_letter(database: Database, worker: Actor, item_id: int, now: datetime) -> int:
    with database.transaction() as session:
        return issue_letter(session, worker, item_id, LetterKind.ATERKOPPLING, recipient_index=0,
                            reporter_address=SCHOOL, now=now).letter.id


def owed(database: Database, actor: Actor, item_id: int) -> list:
    with database.transaction() as session:
        return open_feedback(session, actor, item_id)


def test_posting_the_aterkoppling_closes_the_task_even_for_an_assistant_who_cannot_write_letters(
    database, worker, assistant, decided_item, now
) -> None:
    with database.transaction() as session:
        task_id = session.scalars(select(FeedbackTask.id)).one()
        with pytest.raises(PermissionDenied):  # the general way stays closed to assistants
            complete_feedback_task(session, assistant, task_id, now=now)
    letter_id = issue_feedback_letter(database, worker, decided_item, now)
    assert [task.id for task in owed(database, worker, decided_item)] == [task_id]  # issued is not given
    later = now + timedelta(hours=2)
    with database.transaction() as session:
        mark_printed(session, assistant, [letter_id], now=later)
        mark_sent(session, assistant, [letter_id], now=later)
    assert owed(database, worker, decided_item) == []
    with database.transaction() as session:
        task = session.get(FeedbackTask, task_id)
        assert (task.done, task.done_by_id, task.done_at) == (True, assistant.user_id, later)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_task_done")).one()
        assert event.details == {"item_id": decided_item, "letter_id": letter_id}


def test_a_refused_mark_sent_leaves_the_task_open(database, worker, assistant, decided_item, now) -> None:
    letter_id = issue_feedback_letter(database, worker, decided_item, now)
    with pytest.raises(LetterNotPossible), database.transaction() as session:
        mark_sent(session, assistant, [letter_id], now=now)  # not printed yet
    assert len(owed(database, worker, decided_item)) == 1


def test_a_cancelled_aterkoppling_leaves_the_task_owed(database, worker, decided_item, now) -> None:
    letter_id = issue_feedback_letter(database, worker, decided_item, now)
    with database.transaction() as session:
        cancel_letter(session, worker, letter_id, "Fel adress till skolan.", now=now)
    due = owed(database, worker, decided_item)
    assert len(due) == 1 and due[0].content == "opened" and due[0].due_at > now
