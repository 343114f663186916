"""Protected identity (skyddad folkbokföring / sekretessmarkering) belongs to the person.

A child is one row; a guardian is stored once per report and child, so the same person
has several guardian rows. Marking a person protected marks every row of that person at
once and removes the stored address from each, so no screen, letter or print can show it;
letters to them then go via Skatteverket (mottagning.letters.rules). A guardian row is the
same person as another when both have the same personnummer, or, without one, the same
name for the same child or in the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import NotFound, ValidationError
from mottagning.models import Child, Guardian
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now

_ADDRESS = ("street", "postal_code", "city")


def _clear_address(row: Child | Guardian) -> None:
    for attr in _ADDRESS:
        setattr(row, attr, None)


def same_person_rows(session: Session, guardian: Guardian) -> list[Guardian]:
    """Every guardian row of the person `guardian` is (itself included)."""
    if guardian.personnummer:
        return list(session.execute(
            select(Guardian).where(Guardian.personnummer == guardian.personnummer)
        ).scalars())
    name = guardian.name.strip().casefold()
    found = {guardian.id: guardian}
    children, reports = {guardian.child_id}, {guardian.report_id} - {None}
    while True:
        rows = session.execute(
            select(Guardian).where(
                Guardian.personnummer.is_(None),
                func.lower(func.trim(Guardian.name)) == name,
                or_(Guardian.child_id.in_(children), Guardian.report_id.in_(reports)),
            )
        ).scalars().all()
        # lower() in SQL is ASCII-only on SQLite: compare the full casefold here too
        new = [g for g in rows if g.id not in found and g.name.strip().casefold() == name]
        if not new:
            return list(found.values())
        for g in new:
            found[g.id] = g
            children.add(g.child_id)
            if g.report_id is not None:
                reports.add(g.report_id)


def protect_guardian_rows(session: Session, guardian: Guardian) -> list[int]:
    """Mark every row of this guardian's person protected and clear their addresses;
    returns the ids of the rows that changed."""
    changed = []
    for row in same_person_rows(session, guardian):
        if row.protected_identity and all(getattr(row, a) is None for a in _ADDRESS):
            continue
        protect_guardian(row)
        changed.append(row.id)
    session.flush()
    return changed


def already_protected(session: Session, guardian: Guardian) -> bool:
    """Whether the person of a (new) guardian row is already known to be protected."""
    return any(g.protected_identity for g in same_person_rows(session, guardian) if g.id != guardian.id)


def protect_child(child: Child) -> None:
    child.protected_identity = True
    _clear_address(child)


def protect_guardian(guardian: Guardian) -> None:
    guardian.protected_identity = True
    _clear_address(guardian)


@dataclass(frozen=True)
class ProtectionResult:
    child_ids: tuple[int, ...]
    guardian_ids: tuple[int, ...]
    changes: Changes = field(default_factory=Changes)


def mark_protected_identity(
    session: Session, actor: Actor, *, child_id: int | None = None,
    guardian_id: int | None = None, now: datetime | None = None,
) -> ProtectionResult:
    """Mark a child or a guardian as having protected identity (by hand, e.g. after a
    check with Skatteverket): every report and letter about the person follows at once.
    Audited; the removed address is not logged."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    if (child_id is None) == (guardian_id is None):
        raise ValidationError(["Välj ett barn eller en vårdnadshavare."])
    if child_id is not None:
        child = session.get(Child, child_id)
        if child is None:
            raise NotFound(f"Barn {child_id} finns inte.")
        protect_child(child)
        session.flush()
        audit.record(session, actor=actor.username, user_id=actor.user_id,
                     action="protected_identity_marked", entity_type="child", entity_id=child.id,
                     child_id=child.id, details={"person": "child"}, now=now)
        return ProtectionResult((child.id,), (), Changes(queue=True, letters=True))
    guardian = session.get(Guardian, guardian_id)
    if guardian is None:
        raise NotFound(f"Vårdnadshavare {guardian_id} finns inte.")
    rows = same_person_rows(session, guardian)
    protect_guardian_rows(session, guardian)
    for child in sorted({g.child_id for g in rows}):
        audit.record(session, actor=actor.username, user_id=actor.user_id,
                     action="protected_identity_marked", entity_type="guardian",
                     entity_id=guardian.id, child_id=child,
                     details={"person": "guardian", "guardian_rows": sorted(g.id for g in rows)},
                     now=now)
    return ProtectionResult(tuple(sorted({g.child_id for g in rows})),
                            tuple(sorted(g.id for g in rows)), Changes(queue=True, letters=True))
