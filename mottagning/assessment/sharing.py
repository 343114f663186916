"""Mass reports: one skyddsbedömning answers for the child in every report of a burst.

Each report keeps its own record, deadlines and audit trail: every item the assessment is
applied to moves on with its own status change, naming the assessment it relies on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.context import Actor, Changes
from mottagning.errors import ValidationError
from mottagning.models import QueueItem
from mottagning.models.assessment import FINISHED, Assessment
from mottagning.queue.items import get_item, move_item
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status
from mottagning.timeutil import utc_now


def items_sharing_candidates(session: Session, actor: Actor, item_id: int) -> tuple[int | None, list[int]]:
    """For the child of `item_id`: the newest counted assessment of its open items, and the
    child's received items that have no assessment of their own."""
    actor.require(Action.ASSESS)
    child_id = get_item(session, item_id).child_id
    rows = session.execute(
        select(QueueItem.id, QueueItem.status, Assessment.id, Assessment.status)
        .outerjoin(Assessment, Assessment.item_id == QueueItem.id)
        .where(QueueItem.child_id == child_id, QueueItem.status != Status.CLOSED.value)
        .order_by(QueueItem.received_at)
    ).all()
    counted = [a_id for _i, status, a_id, a_status in rows
               if a_id is not None and a_status == FINISHED and status != Status.RECEIVED]
    waiting = [i for i, status, a_id, _a in rows if status == Status.RECEIVED and a_id is None]
    return (counted[-1] if counted else None), waiting


def share_assessment(
    session: Session, actor: Actor, assessment_id: int, item_ids: list[int], *,
    now: datetime | None = None,
) -> Changes:
    """Let a finished skyddsbedömning count for the same child's other received items
    (one audit event per item)."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.status != FINISHED:
        raise ValidationError(["Skyddsbedömningen är inte avslutad och kan inte användas för "
                               "andra anmälningar."])
    child_id = get_item(session, assessment.item_id).child_id
    problems, items = [], []
    for item_id in item_ids:
        item = get_item(session, item_id)
        if item.child_id != child_id:
            problems.append(f"Ärende {item_id} gäller ett annat barn.")
        elif item.status != Status.RECEIVED:
            problems.append(f"Ärende {item_id} är redan skyddsbedömt.")
        else:
            items.append(item)
    if problems:
        raise ValidationError(problems)
    for item in items:
        move_item(session, actor, item, Status.PROTECTION_ASSESSED, now=now, details={
            "assessment_id": assessment.id, "shared_from_item": assessment.item_id,
            "outcome": assessment.outcome,
        })
    return Changes(queue=True, item_ids=tuple(i.id for i in items))
