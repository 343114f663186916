"""Reading decisions: the sign-off pane's list, one proposal opened side by side with the
case, the worker's returned proposals, the full listing for the CLI, and the check that
signed decisions still match what their signature recorded in the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from mottagning.access.signature import signature_method
from mottagning.assessment.summary import assessment_summary
from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.decisions.delegation import (
    DecisionStatus,
    delegated_role,
    signing_phrase,
)
from mottagning.errors import NotFound
from mottagning.models import Child, QueueItem, User
from mottagning.models.decisions import DeadlineExtension, Decision, FeedbackTask
from mottagning.queue.listing import ItemDetail, open_item
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now


@dataclass(frozen=True)
class DecisionRow:
    id: int
    item_id: int
    child_id: int
    child_name: str
    outcome: str
    status: str
    urgent: bool
    violence: bool
    proposed_by_id: int
    proposed_by: str
    proposed_at: datetime
    signed_by_id: int | None
    signed_by: str | None
    signed_at: datetime | None
    decision_due: datetime
    decision_due_extended: datetime | None
    return_comment: str | None
    returned_by: str | None
    corrects_decision_id: int | None
    version: int

    @property
    def effective_due(self) -> datetime:
        return applicable_decision_due(self.decision_due, self.decision_due_extended)

    def overdue(self, now: datetime) -> bool:
        """Past the deadline at signing (signed) or now (unsigned)."""
        moment = self.signed_at or now
        return moment > self.effective_due


def _rows(session: Session, *conditions: Any) -> list[DecisionRow]:
    proposer, signer, returner = aliased(User), aliased(User), aliased(User)
    query = (
        select(Decision, QueueItem, Child.name, proposer.full_name, signer.full_name,
               returner.full_name)
        .join(QueueItem, Decision.item_id == QueueItem.id)
        .join(Child, QueueItem.child_id == Child.id)
        .join(proposer, Decision.proposed_by_id == proposer.id)
        .outerjoin(signer, Decision.signed_by_id == signer.id)
        .outerjoin(returner, Decision.returned_by_id == returner.id)
        .where(*conditions)
        .order_by(Decision.id)
    )
    return [
        DecisionRow(
            id=d.id, item_id=item.id, child_id=item.child_id, child_name=child_name,
            outcome=d.outcome, status=d.status, urgent=d.urgent, violence=item.flag_violence,
            proposed_by_id=d.proposed_by_id, proposed_by=proposed_by, proposed_at=d.proposed_at,
            signed_by_id=d.signed_by_id, signed_by=signed_by, signed_at=d.signed_at, decision_due=item.decision_due,
            decision_due_extended=item.decision_due_extended, return_comment=d.return_comment,
            returned_by=returned_by, corrects_decision_id=d.corrects_decision_id, version=d.version,
        )
        for d, item, child_name, proposed_by, signed_by, returned_by in session.execute(query)
    ]


def list_decisions(session: Session, actor: Actor, *, status: str | None = None) -> list[DecisionRow]:
    """Every proposal and decision (optionally of one status), oldest first. One audit event."""
    actor.require(Action.READ_CASE)
    conditions = [] if status is None else [Decision.status == DecisionStatus(status).value]
    rows = _rows(session, *conditions)
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="decisions_listed",
                 details={"status": status, "rows": len(rows)})
    return rows


def latest_signed(session: Session, item_id: int) -> Decision | None:
    """The item's newest signed decision (what letters report and what a correction corrects)."""
    return session.execute(
        select(Decision).where(Decision.item_id == item_id,
                               Decision.status == DecisionStatus.SIGNED.value)
        .order_by(Decision.signed_at.desc(), Decision.id.desc()).limit(1)
    ).scalar_one_or_none()


def open_latest_signed(session: Session, actor: Actor, item_id: int) -> ProposalDetail:
    """Open the item's newest signed decision with its case (an audited read)."""
    decision = latest_signed(session, item_id)
    if decision is None:
        raise NotFound("Ärendet har inget signerat beslut att rätta.")
    return open_proposal(session, actor, decision.id)


def urgency_key(row: DecisionRow, now: datetime) -> tuple[int, int, datetime, int]:
    """Urgent first, then overdue, then the decision due soonest."""
    return (0 if row.urgent else 1, 0 if row.overdue(now) else 1, row.effective_due, row.id)


def list_awaiting(session: Session, actor: Actor, *, now: datetime | None = None) -> list[DecisionRow]:
    """Proposals awaiting signature, most urgent first (the sign-off pane)."""
    actor.require(Action.SIGN_DECISION)
    now = now or utc_now()
    rows = _rows(session, Decision.status == DecisionStatus.AWAITING.value)
    return sorted(rows, key=lambda r: urgency_key(r, now))


def my_returned(session: Session, actor: Actor) -> list[DecisionRow]:
    """The actor's own proposals that were sent back and not yet proposed again."""
    actor.require(Action.PROPOSE_DECISION)
    return _rows(session, Decision.status == DecisionStatus.RETURNED.value,
                 Decision.proposed_by_id == actor.user_id)


@dataclass(frozen=True)
class ExtensionRow:
    id: int
    item_id: int
    child_name: str
    reason: str
    original_due: datetime
    new_due: datetime
    requested_by_id: int
    requested_by: str
    requested_at: datetime
    status: str
    version: int


def list_awaiting_extensions(session: Session, actor: Actor) -> list[ExtensionRow]:
    actor.require(Action.SIGN_DECISION)
    query = (
        select(DeadlineExtension, Child.name, User.full_name)
        .join(QueueItem, DeadlineExtension.item_id == QueueItem.id)
        .join(Child, QueueItem.child_id == Child.id)
        .join(User, DeadlineExtension.requested_by_id == User.id)
        .where(DeadlineExtension.status == DecisionStatus.AWAITING.value)
        .order_by(DeadlineExtension.original_due, DeadlineExtension.id)
    )
    return [
        ExtensionRow(e.id, e.item_id, name, e.reason, e.original_due, e.new_due,
                     e.requested_by_id, requester, e.requested_at, e.status, e.version)
        for e, name, requester in session.execute(query)
    ]


@dataclass(frozen=True)
class ProposalDetail:
    """Everything the reviewer sees side by side before signing."""

    decision: Decision
    row: DecisionRow
    item: ItemDetail
    assessment: str | None
    phrase: str
    method: str
    own_proposal: bool
    has_delegation: bool
    corrects: DecisionRow | None


def open_proposal(
    session: Session, actor: Actor, decision_id: int, *, now: datetime | None = None,
) -> ProposalDetail:
    """Open a proposal with its case (the opening of the case is audited)."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    rows = _rows(session, Decision.id == decision_id)
    if not rows:
        raise NotFound(f"Beslut {decision_id} finns inte.")
    decision = session.get(Decision, decision_id)
    assert decision is not None
    session.expunge(decision)
    corrects = None
    if decision.corrects_decision_id is not None:
        corrects = _rows(session, Decision.id == decision.corrects_decision_id)[0]
    return ProposalDetail(
        decision=decision, row=rows[0], item=open_item(session, actor, decision.item_id, now=now),
        assessment=assessment_summary(session, actor, decision.item_id, now=now),
        phrase=signing_phrase(decision.outcome), method=signature_method(session, actor),
        own_proposal=decision.proposed_by_id == actor.user_id,
        has_delegation=delegated_role(session, actor, decision.outcome) is not None,
        corrects=corrects,
    )


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    item_id: int
    content: str
    due_at: datetime
    done: bool


def list_feedback_tasks(session: Session, actor: Actor, *, open_only: bool = True) -> list[FeedbackRow]:
    actor.require(Action.READ_CASE)
    query = select(FeedbackTask).order_by(FeedbackTask.due_at, FeedbackTask.id)
    if open_only:
        query = query.where(FeedbackTask.done.is_(False))
    return [FeedbackRow(t.id, t.item_id, t.content, t.due_at, t.done) for t in session.scalars(query)]
