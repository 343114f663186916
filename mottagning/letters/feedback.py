"""Återkoppling owed to a mandatory reporter: the decision creates a feedback task; posting
the återkoppling letter closes it.

The task is closed when the letter is marked sent (not when it is issued): an issued letter
may still be cancelled, and the reporter has had feedback only once it is in the post.
Closing belongs to whoever may mark the letter sent (an assistant too, who may not write
letters): the letter's only content — opened, not opened, already under way — was fixed by
the signed decision, so closing the task decides nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.models.decisions import FeedbackTask
from mottagning.rules.permissions import Action, allowed


@dataclass(frozen=True)
class FeedbackDue:
    id: int
    item_id: int
    content: str  # opened / not_opened / under_way
    due_at: datetime


def open_feedback(session: Session, actor: Actor, item_id: int) -> list[FeedbackDue]:
    """The item's återkoppling still owed, earliest due first (empty for a role that cannot
    see case details)."""
    if not (allowed(actor.roles, Action.READ_CASE) or allowed(actor.roles, Action.PRINT_LETTER)):
        return []
    tasks = session.execute(
        select(FeedbackTask).where(FeedbackTask.item_id == item_id, FeedbackTask.done.is_(False))
        .order_by(FeedbackTask.due_at, FeedbackTask.id)
    ).scalars()
    return [FeedbackDue(t.id, t.item_id, t.content, t.due_at) for t in tasks]


def close_feedback_for_sent_letter(
    session: Session, actor: Actor, *, item_id: int, child_id: int | None, letter_id: int, now: datetime,
) -> list[int]:
    """Close the item's open feedback tasks because its återkoppling letter was posted.

    The caller has checked that the actor may mark letters sent (PRINT_LETTER); see the
    module docstring for why that is the right permission here. Returns the closed task ids.
    """
    tasks = session.execute(
        select(FeedbackTask).where(FeedbackTask.item_id == item_id, FeedbackTask.done.is_(False))
    ).scalars().all()
    for task in tasks:
        task.done, task.done_at, task.done_by_id = True, now, actor.user_id
        session.flush()
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="feedback_task_done",
            entity_type="feedback_task", entity_id=task.id, child_id=child_id,
            details={"item_id": item_id, "letter_id": letter_id}, now=now,
        )
    return [task.id for task in tasks]
