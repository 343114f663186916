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
from mottagning.intake.concern_flags import considered_concerns
from mottagning.models import QueueItem
from mottagning.models.assessment import FINISHED, Assessment
from mottagning.queue.items import get_item, move_item
from mottagning.rules.codes import concern_label
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status
from mottagning.timeutil import utc_now


def items_sharing_candidates(session: Session, actor: Actor, item_id: int) -> tuple[int | None, list[int]]:
    """For the child of `item_id`: the newest counted assessment of its open items, and the
    child's received items without an assessment of their own that may share it."""
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
    if not counted:
        return None, []
    assessment = session.get(Assessment, counted[-1])
    assert assessment is not None
    waiting = [i for i, status, a_id, _a in rows if status == Status.RECEIVED and a_id is None
               and why_not_shared(session, assessment, get_item(session, i)) is None]
    return assessment.id, waiting


def why_not_shared(session: Session, assessment: Assessment, item: QueueItem) -> str | None:
    """Why `item` may not rely on `assessment` (None: it may).

    An assessment answers for what was known when it was finished: a report received later,
    or one that carries a flag or a concern the assessment did not consider, needs its own.
    """
    source = get_item(session, assessment.item_id)
    if item.child_id != source.child_id:
        return f"Ärende {item.id} gäller ett annat barn."
    if item.status != Status.RECEIVED:
        return f"Ärende {item.id} är redan skyddsbedömt."
    if assessment.finished_at is None or item.received_at > assessment.finished_at:
        return (f"Ärende {item.id} kom in efter att skyddsbedömningen avslutades och behöver "
                "en egen skyddsbedömning.")
    new_flags = {"violence", "immediate_danger"} & set(item.flags) - set(source.flags)
    if new_flags:
        return (f"Ärende {item.id} är markerat för {_flag_words(new_flags)}, vilket "
                "skyddsbedömningen inte tog ställning till; det behöver en egen skyddsbedömning.")
    new_concerns = set(item.report.concern_codes) - considered_concerns(session, assessment)
    if new_concerns:
        return (f"Ärende {item.id} gäller oro som skyddsbedömningen inte tog ställning till "
                f"({', '.join(concern_label(c) for c in sorted(new_concerns))}); det behöver "
                "en egen skyddsbedömning.")
    return None


def _flag_words(flags: set[str]) -> str:
    words = {"violence": "våld", "immediate_danger": "akut fara"}
    return " och ".join(words[f] for f in sorted(flags))


def share_assessment(
    session: Session, actor: Actor, assessment_id: int, item_ids: list[int], *,
    now: datetime | None = None,
) -> Changes:
    """Let a finished skyddsbedömning count for the same child's other received items
    (one audit event per item): only reports received before it was finished, with no flag
    or concern it did not consider (see `why_not_shared`)."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.status != FINISHED:
        raise ValidationError(["Skyddsbedömningen är inte avslutad och kan inte användas för "
                               "andra anmälningar."])
    problems, items = [], []
    for item_id in item_ids:
        item = get_item(session, item_id)
        problem = why_not_shared(session, assessment, item)
        if problem is None:
            items.append(item)
        else:
            problems.append(problem)
    if problems:
        raise ValidationError(problems)
    for item in items:
        move_item(session, actor, item, Status.PROTECTION_ASSESSED, now=now, details={
            "assessment_id": assessment.id, "shared_from_item": assessment.item_id,
            "outcome": assessment.outcome,
        })
    return Changes(queue=True, item_ids=tuple(i.id for i in items))
