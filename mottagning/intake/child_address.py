"""A known child's address, as reports give it: a report's other address is a proposal (see
`reports._known_child_differences`) that a worker confirms or rejects. The child record
changes only on confirmation; the previous address stays in the proposal's row, so the
child's addresses have a history. Audit events carry ids only, never an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import NotFound, ValidationError
from mottagning.models import Child, ChildAddressChange
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now

PROPOSED, CONFIRMED, REJECTED = "proposed", "confirmed", "rejected"


@dataclass(frozen=True)
class AddressChange:
    id: int
    child_id: int
    report_id: int | None
    address: str
    previous_address: str | None
    status: str
    proposed_at: datetime
    decided_at: datetime | None


def _text(street: str | None, postal_code: str | None, city: str | None) -> str:
    return ", ".join(v for v in (street, " ".join(v for v in (postal_code, city) if v)) if v)


def address_history(session: Session, actor: Actor, child_id: int) -> list[AddressChange]:
    """Every address a report gave for the child: open proposals and decided ones."""
    actor.require(Action.READ_CASE)
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound("Barnet finns inte.")
    rows = session.execute(
        select(ChildAddressChange).where(ChildAddressChange.child_id == child_id)
        .order_by(ChildAddressChange.proposed_at, ChildAddressChange.id)).scalars()
    if child.protected_identity:
        return []  # a protected child's address is never shown
    return [AddressChange(
        r.id, r.child_id, r.report_id, _text(r.street, r.postal_code, r.city),
        _text(r.previous_street, r.previous_postal_code, r.previous_city) or None
        if r.status == CONFIRMED else None, r.status, r.proposed_at, r.decided_at) for r in rows]


def decide_address(session: Session, actor: Actor, change_id: int, *, confirm: bool,
                   now: datetime | None = None) -> Changes:
    """Confirm (the child's address becomes the report's, the previous one is kept) or
    reject a proposed address; audited."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    change = session.get(ChildAddressChange, change_id)
    if change is None:
        raise NotFound("Adressförslaget finns inte.")
    if change.status != PROPOSED:
        raise ValidationError(["Adressförslaget är redan avgjort."])
    child = session.get(Child, change.child_id)
    if confirm:
        if child.protected_identity:
            raise ValidationError(["Barnet har skyddad identitet: ingen adress sparas."])
        change.previous_street, change.previous_postal_code, change.previous_city = (
            child.street, child.postal_code, child.city)
        child.street, child.postal_code, child.city = change.street, change.postal_code, change.city
    change.status = CONFIRMED if confirm else REJECTED
    change.decided_by_id, change.decided_at = actor.user_id, now
    session.flush()
    audit.record(session, actor=actor.username, user_id=actor.user_id,
                 action="child_address_confirmed" if confirm else "child_address_rejected",
                 entity_type="child", entity_id=child.id, child_id=child.id,
                 details={"change_id": change.id, "report_id": change.report_id}, now=now)
    return Changes(queue=True, item_ids=tuple(item.id for item in child.items))
