"""The decision that ends the förhandsbedömning: a worker proposes, another person with the
delegation signs it or returns it with a comment ("there are always at least two who assess").

A signed decision is never changed: a correction is a new decision linked to the old one.
Each signature writes the decision's content hash into the audit chain, so a later direct
edit of the row is found by `decisions.integrity.verify_signed_decisions` (`mottagning audit verify`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mottagning.access import drafts
from mottagning.access.signature import verify_signature
from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.decisions.delegation import (
    FEEDBACK_CONTENT,
    DecisionStatus,
    Outcome,
    content_hash,
    delegated_role,
    delegation_holders_text,
    delegation_text,
    feedback_due,
    outcome_label,
    outcome_of,
    signing_phrase,
)
from mottagning.errors import (
    ConcurrentEdit,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from mottagning.models import QueueItem
from mottagning.models.decisions import Decision, FeedbackTask
from mottagning.queue.items import get_item, move_item
from mottagning.rules.codes import codes
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.permissions import Action
from mottagning.rules.status import TRANSITIONS, Status
from mottagning.timeutil import format_date_sv, utc_now

DRAFT_KIND = "decision_proposal"
PROPOSABLE = frozenset({Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT, Status.RETURNED})


def draft_key(item_id: int) -> str:
    return str(item_id)


@dataclass(frozen=True)
class Contact:
    """A contact made during the förhandsbedömning: with whom, when, what came of it."""

    with_whom: str
    when: date
    note: str = ""


@dataclass(frozen=True)
class ProposalInput:
    outcome: str
    motivation: str
    notes: str = ""
    contacts: tuple[Contact, ...] = ()
    open_support_offered: bool | None = None
    guardians_to_be_informed: bool | None = None
    ongoing_investigation: str | None = None
    forward_municipality: str | None = None
    violence_reason: str | None = None
    overrun_reason: str | None = None


@dataclass(frozen=True)
class DecisionResult:
    decision_id: int
    changes: Changes = field(default_factory=Changes)


def effective_due(item: QueueItem) -> datetime:
    return applicable_decision_due(item.decision_due, item.decision_due_extended)


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _validate(proposal: ProposalInput, item: QueueItem, now: datetime, *,
              overrun_reason_needed: bool = True) -> list[str]:
    """What is missing; a correction of a signed decision needs no new overrun reason."""
    problems: list[str] = []
    try:
        outcome = outcome_of(proposal.outcome)
    except ValidationError as exc:
        return exc.problems
    if _blank(proposal.motivation):
        problems.append("Skriv en motivering till förslaget.")
    if outcome is Outcome.INTE_INLEDA_UTREDNING:
        if proposal.open_support_offered is None:
            problems.append("Ange om öppna insatser utan behovsprövning erbjuds.")
        if proposal.guardians_to_be_informed is None:
            problems.append("Ange om vårdnadshavarna ska underrättas om beslutet.")
        if item.flag_violence and _blank(proposal.violence_reason):
            problems.append(
                "Anmälan gäller våld. Skriv varför utredning ändå inte ska inledas "
                "(risken ska bedömas enligt HSLF-FS 2022:39)."
            )
    if outcome is Outcome.TILLFORS_PAGAENDE_UTREDNING and _blank(proposal.ongoing_investigation):
        problems.append("Ange vilken pågående utredning anmälan tillförs.")
    if outcome is Outcome.VIDAREBEFORDRAS and _blank(proposal.forward_municipality):
        problems.append("Ange vilken kommun anmälan vidarebefordras till.")
    for number, contact in enumerate(proposal.contacts, start=1):
        if _blank(contact.with_whom):
            problems.append(f"Kontakt {number}: ange vem kontakten togs med.")
    due = effective_due(item)
    if overrun_reason_needed and now > due and _blank(proposal.overrun_reason):
        problems.append(
            f"Tidsfristen gick ut {format_date_sv(due)}. Beslutet ska fattas ändå: "
            "skriv orsaken till att det dröjt."
        )
    return problems


def _fields(proposal: ProposalInput) -> dict[str, Any]:
    outcome = Outcome(proposal.outcome)
    not_opened = outcome is Outcome.INTE_INLEDA_UTREDNING

    def text(value: str | None) -> str | None:
        return None if _blank(value) else value.strip()  # type: ignore[union-attr]

    return {
        "outcome": outcome.value,
        "motivation": proposal.motivation.strip(),
        "notes": proposal.notes.strip(),
        "contacts": [
            {"with": c.with_whom.strip(), "when": c.when.isoformat(), "note": c.note.strip()}
            for c in proposal.contacts
        ],
        "open_support_offered": proposal.open_support_offered if not_opened else None,
        "guardians_to_be_informed": proposal.guardians_to_be_informed if not_opened else None,
        "ongoing_investigation": text(proposal.ongoing_investigation)
        if outcome is Outcome.TILLFORS_PAGAENDE_UTREDNING else None,
        "forward_municipality": text(proposal.forward_municipality)
        if outcome is Outcome.VIDAREBEFORDRAS else None,
        "violence_reason": text(proposal.violence_reason) if not_opened else None,
        "overrun_reason": text(proposal.overrun_reason),
    }


def _changes(item_id: int) -> Changes:
    return Changes(queue=True, item_ids=(item_id,), decisions=True)


def _supersede_returned(session: Session, item_id: int) -> None:
    session.execute(
        update(Decision)
        .where(Decision.item_id == item_id, Decision.status == DecisionStatus.RETURNED.value)
        .values(status=DecisionStatus.SUPERSEDED.value, version=Decision.version + 1)
        .execution_options(synchronize_session="fetch")
    )


def _awaiting_for(session: Session, item_id: int) -> Decision | None:
    return session.execute(
        select(Decision).where(Decision.item_id == item_id,
                               Decision.status == DecisionStatus.AWAITING.value)
    ).scalars().first()


def _add(
    session: Session, actor: Actor, item: QueueItem, values: dict[str, Any], *, urgent: bool,
    now: datetime, assessment_id: int | None = None, corrects: Decision | None = None,
    correction_reason: str | None = None,
) -> Decision:
    if _awaiting_for(session, item.id) is not None:
        raise InvalidTransition(
            "Ärendet har redan ett förslag som väntar på signatur. Ändra det förslaget i stället."
        )
    _supersede_returned(session, item.id)
    decision = Decision(
        item_id=item.id, urgent=urgent, assessment_id=assessment_id,
        status=DecisionStatus.AWAITING.value, proposed_by_id=actor.user_id, proposed_at=now,
        violence_acknowledged=False, overdue_at_signing=False,
        corrects_decision_id=corrects.id if corrects else None,
        correction_reason=correction_reason, **values,
    )
    session.add(decision)
    session.flush()
    if Status.DECISION_PROPOSED in TRANSITIONS[Status(item.status)]:
        move_item(session, actor, item, Status.DECISION_PROPOSED,
                  details={"decision_id": decision.id}, now=now)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="decision_proposed",
        entity_type="decision", entity_id=decision.id, child_id=item.child_id,
        details={"item_id": item.id, "outcome": decision.outcome, "urgent": urgent,
                 "corrects_decision_id": decision.corrects_decision_id}, now=now,
    )
    return decision


def create_urgent_proposal(
    session: Session, actor: Actor, item_id: int, *, assessment_id: int, now: datetime,
) -> int:
    """The skyddsbedömning found an immediate need of protection: propose *inleda utredning*,
    marked urgent so it heads the sign-off pane. Protective action does not wait for it."""
    actor.require(Action.PROPOSE_DECISION)
    item = get_item(session, item_id)
    if Status.DECISION_PROPOSED not in TRANSITIONS[Status(item.status)]:
        raise InvalidTransition("Ärendet kan inte få ett beslutsförslag i sin nuvarande status.")
    values = _fields(ProposalInput(
        outcome=Outcome.INLEDA_UTREDNING.value,
        motivation="Skyddsbedömningen visar ett omedelbart skyddsbehov. "
                   "Utredning inleds utan dröjsmål.",
    ))
    return _add(session, actor, item, values, urgent=True, now=now, assessment_id=assessment_id).id


def propose_decision(
    session: Session, actor: Actor, item_id: int, proposal: ProposalInput, *,
    expected_version: int | None = None, now: datetime | None = None,
) -> DecisionResult:
    """Propose the decision on an item; the worker's autosaved draft is discarded."""
    actor.require(Action.PROPOSE_DECISION)
    now = now or utc_now()
    item = get_item(session, item_id, expected_version=expected_version)
    if Status(item.status) not in PROPOSABLE:
        raise InvalidTransition(
            "Ett beslut kan föreslås efter skyddsbedömningen, under förhandsbedömningen "
            "eller efter att ett förslag återsänts."
        )
    problems = _validate(proposal, item, now)
    if problems:
        raise ValidationError(problems)
    decision = _add(session, actor, item, _fields(proposal), urgent=False, now=now)
    drafts.discard_draft(session, actor, kind=DRAFT_KIND, key=draft_key(item_id))
    return DecisionResult(decision.id, _changes(item_id))


def _get(session: Session, decision_id: int, expected_version: int | None) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"Beslut {decision_id} finns inte.")
    if expected_version is not None and decision.version != expected_version:
        raise ConcurrentEdit(
            "Förslaget har ändrats sedan du öppnade det. Öppna det igen och läs det "
            "nya innehållet innan du signerar; ingenting sparades."
        )
    return decision


def _require_awaiting(decision: Decision) -> None:
    if decision.status == DecisionStatus.SIGNED:
        raise InvalidTransition(
            "Beslutet är redan signerat och kan inte ändras. Gör en rättelse: ett nytt beslut "
            "som länkas till det gamla och signeras igen."
        )
    if decision.status != DecisionStatus.AWAITING:
        raise InvalidTransition("Förslaget väntar inte på signatur (det har återsänts eller ersatts).")


def update_proposal(
    session: Session, actor: Actor, decision_id: int, proposal: ProposalInput, *,
    expected_version: int, now: datetime | None = None,
) -> DecisionResult:
    """The proposer changes their own proposal while it awaits signature."""
    actor.require(Action.PROPOSE_DECISION)
    now = now or utc_now()
    decision = _get(session, decision_id, expected_version)
    _require_awaiting(decision)
    if decision.proposed_by_id != actor.user_id:
        raise PermissionDenied("Bara den som lagt förslaget kan ändra det. Återsänd det med en kommentar i stället.")
    item = get_item(session, decision.item_id)
    problems = _validate(proposal, item, now)
    if problems:
        raise ValidationError(problems)
    for name, value in _fields(proposal).items():
        setattr(decision, name, value)
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="decision_proposal_changed",
        entity_type="decision", entity_id=decision.id, child_id=item.child_id,
        details={"item_id": item.id, "outcome": decision.outcome}, now=now,
    )
    drafts.discard_draft(session, actor, kind=DRAFT_KIND, key=draft_key(item.id))
    return DecisionResult(decision.id, _changes(item.id))


def sign_decision(
    session: Session, actor: Actor, decision_id: int, *, secret: str, expected_version: int,
    violence_acknowledged: bool = False, overrun_reason: str | None = None,
    now: datetime | None = None,
) -> DecisionResult:
    """Sign a proposal: four eyes, delegation, re-authentication, then the item moves on.

    Lateness never refuses a signature: the overrun is recorded with its reason. When the
    deadline has passed and the proposal gives no reason (it was proposed in time), the
    signer gives it (`overrun_reason`).
    """
    actor.require(Action.SIGN_DECISION)
    now = now or utc_now()
    decision = _get(session, decision_id, expected_version)
    _require_awaiting(decision)
    if decision.proposed_by_id == actor.user_id:
        raise PermissionDenied(
            "Du kan inte signera ditt eget förslag: det ska alltid vara två som bedömer. "
            "Be en annan förste socialsekreterare eller enhetschef att signera."
        )
    role = delegated_role(session, actor, decision.outcome)
    if role is None:
        raise PermissionDenied(
            f"Du har inte delegation att fatta beslut om ”{outcome_label(decision.outcome).lower()}”. "
            f"Enligt delegationsordningen får {delegation_holders_text(session, decision.outcome)} "
            "signera; be någon av dem."
        )
    item = get_item(session, decision.item_id)
    if (item.flag_violence and decision.outcome == Outcome.INTE_INLEDA_UTREDNING
            and _blank(decision.violence_reason)):
        # The flag came after the proposal (a corrected code, the skyddsbedömning).
        raise ValidationError([
            "Anmälan gäller våld men förslaget saknar skäl till att utredning inte inleds. "
            "Återsänd förslaget så att skälen skrivs in."
        ])
    if item.flag_violence and not violence_acknowledged:
        raise ValidationError([
            "Anmälan gäller våld. Bekräfta att du sett våldsmarkeringen (kryssrutan) innan du signerar."
        ])
    overdue = now > effective_due(item)
    late_unexplained = overdue and decision.corrects_decision_id is None and _blank(decision.overrun_reason)
    if late_unexplained and _blank(overrun_reason):
        raise ValidationError([
            f"Tidsfristen gick ut {format_date_sv(effective_due(item))}. Beslutet signeras ändå: "
            "skriv orsaken till att det dröjt."
        ])
    verify_signature(session, actor, secret, expected_phrase=signing_phrase(decision.outcome))
    signer_reason = None
    if overdue and not _blank(overrun_reason):
        signer_reason = overrun_reason.strip()  # type: ignore[union-attr]
        # The proposer's reason (a proposal made late) stays; the signer's is added to it.
        decision.overrun_reason = (signer_reason if _blank(decision.overrun_reason)
                                   else f"{decision.overrun_reason}\n\n{signer_reason}")
    decision.status = DecisionStatus.SIGNED.value
    decision.signed_by_id = actor.user_id
    decision.signed_at = now
    decision.signer_delegation = delegation_text(role, decision.outcome)
    decision.violence_acknowledged = bool(item.flag_violence and violence_acknowledged)
    decision.overdue_at_signing = overdue
    decision.content_hash = content_hash(decision)
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="decision_signed",
        entity_type="decision", entity_id=decision.id, child_id=item.child_id,
        details={"item_id": item.id, "outcome": decision.outcome, "content_hash": decision.content_hash,
                 "delegation": decision.signer_delegation, "overdue": overdue,
                 "signer_overrun_reason": audit.text_digest(signer_reason),
                 "violence_acknowledged": decision.violence_acknowledged}, now=now,
    )
    _after_signing(session, actor, decision, item, now)
    return DecisionResult(decision.id, Changes(queue=True, item_ids=(item.id,), decisions=True, letters=True))


def _after_signing(session: Session, actor: Actor, decision: Decision, item: QueueItem, now: datetime) -> None:
    item.outcome = decision.outcome
    if item.status == Status.DECISION_PROPOSED:
        move_item(session, actor, item, Status.DECISION_SIGNED,
                  details={"decision_id": decision.id}, now=now)
    report = item.report
    content = FEEDBACK_CONTENT.get(Outcome(decision.outcome))
    mandatory = report.reporter_category in codes().mandatory_reporters
    if content and mandatory and report.reporter_wants_feedback and not report.reporter_anonymous:
        task = FeedbackTask(item_id=item.id, decision_id=decision.id, content=content,
                            created_at=now, due_at=feedback_due(session, now), done=False)
        session.add(task)
        session.flush()
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="feedback_task_created",
            entity_type="feedback_task", entity_id=task.id, child_id=item.child_id,
            details={"item_id": item.id, "content": content, "due_at": task.due_at.isoformat()}, now=now,
        )
    if decision.outcome == Outcome.INTE_INLEDA_UTREDNING and item.status == Status.DECISION_SIGNED:
        move_item(session, actor, item, Status.CLOSED,
                  details={"decision_id": decision.id, "filed": True}, now=now)


def return_decision(
    session: Session, actor: Actor, decision_id: int, *, comment: str, expected_version: int,
    now: datetime | None = None,
) -> DecisionResult:
    """Send a proposal back to its proposer with a comment (shown in their own list)."""
    actor.require(Action.SIGN_DECISION)
    now = now or utc_now()
    decision = _get(session, decision_id, expected_version)
    _require_awaiting(decision)
    if decision.proposed_by_id == actor.user_id:
        raise PermissionDenied("Du kan inte återsända ditt eget förslag. Ändra det i stället.")
    if _blank(comment):
        raise ValidationError(["Skriv en kommentar som säger vad som behöver göras."])
    item = get_item(session, decision.item_id)
    decision.status = DecisionStatus.RETURNED.value
    decision.returned_by_id = actor.user_id
    decision.returned_at = now
    decision.return_comment = comment.strip()
    session.flush()
    if item.status == Status.DECISION_PROPOSED:
        move_item(session, actor, item, Status.RETURNED, details={"decision_id": decision.id}, now=now)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="decision_returned",
        entity_type="decision", entity_id=decision.id, child_id=item.child_id,
        details={"item_id": item.id, "comment": audit.text_digest(decision.return_comment)}, now=now,
    )
    return DecisionResult(decision.id, _changes(item.id))


def propose_correction(
    session: Session, actor: Actor, decision_id: int, proposal: ProposalInput, *, reason: str,
    now: datetime | None = None,
) -> DecisionResult:
    """A correction of a signed decision: a new proposal linked to it, signed again."""
    actor.require(Action.PROPOSE_DECISION)
    now = now or utc_now()
    old = _get(session, decision_id, None)
    if old.status != DecisionStatus.SIGNED:
        raise InvalidTransition("Bara ett signerat beslut rättas; ett förslag ändras eller återsänds.")
    if _blank(reason):
        raise ValidationError(["Skriv skälet till rättelsen."])
    item = get_item(session, old.item_id)
    problems = _validate(proposal, item, now, overrun_reason_needed=False)
    if problems:
        raise ValidationError(problems)
    values = _fields(proposal)
    decision = _add(session, actor, item, values, urgent=False, now=now, corrects=old,
                    correction_reason=reason.strip())
    return DecisionResult(decision.id, _changes(item.id))
