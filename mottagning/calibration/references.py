"""Reference answers: the file's own, and those agreed at review meetings (new versions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.assessment import OUTCOMES
from mottagning.audit import chain as audit
from mottagning.calibration.vignettes import Reference, Vignette, reference_problems
from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.models import VignetteReference
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now


def _latest(session: Session, vignette_id: str) -> VignetteReference | None:
    return session.execute(
        select(VignetteReference).where(VignetteReference.vignette_id == vignette_id)
        .order_by(VignetteReference.version.desc()).limit(1)).scalar_one_or_none()


def current_version(session: Session, vignette: Vignette) -> int:
    latest = _latest(session, vignette.id)
    return max(vignette.version, latest.version if latest else 0)


def current_vignette(session: Session, vignette: Vignette) -> Vignette:
    """The vignette at its newest version: the file's text with the newest reference."""
    latest = _latest(session, vignette.id)
    if latest is None or latest.version <= vignette.version:
        return vignette
    return replace(vignette, version=latest.version,
                   reference=Reference(dict(latest.answers), latest.outcome, latest.note))


def vignette_at(session: Session, vignette: Vignette, version: int) -> Vignette:
    """The vignette as it was at `version` (the version a round pinned when it opened):
    the file's text with the reference in force then."""
    if version <= vignette.version:
        return vignette
    saved = session.execute(
        select(VignetteReference).where(VignetteReference.vignette_id == vignette.id,
                                        VignetteReference.version <= version)
        .order_by(VignetteReference.version.desc()).limit(1)).scalar_one_or_none()
    if saved is None:
        return vignette
    return replace(vignette, version=saved.version,
                   reference=Reference(dict(saved.answers), saved.outcome, saved.note))


def newer_vignette(session: Session, vignette: Vignette, version: int) -> Vignette | None:
    """The vignette's newest version when it is newer than `version` (a reference agreed
    since, e.g. at the round's own review meeting), else None."""
    newest = current_vignette(session, vignette)
    return newest if newest.version > version else None


def save_reference(session: Session, actor: Actor, vignette: Vignette, *,
                   answers: dict[str, str], outcome: str, why: str, forms,  # type: ignore[no-untyped-def]
                   now: datetime | None = None) -> int:
    """Save the review meeting's agreed answer as the vignette's reference: a new version
    of the vignette (seniors). Returns the new version number."""
    actor.require(Action.LEAD_CALIBRATION)
    now = now or utc_now()
    problems = []
    if outcome not in OUTCOMES:
        problems.append("Välj ett utfall för referenssvaret.")
    if not why.strip():
        problems.append("Skriv varför gruppen kom fram till referenssvaret.")
    if problems:
        raise ValidationError(problems)
    reference = Reference(dict(answers), outcome, why.strip())
    faults = reference_problems(forms, vignette, reference)
    if faults:
        raise ValidationError([fault.message for fault in faults])
    version = current_version(session, vignette) + 1
    session.add(VignetteReference(vignette_id=vignette.id, version=version,
                                  answers=dict(answers), outcome=outcome, note=why.strip(),
                                  saved_by_id=actor.user_id, saved_at=now))
    session.flush()
    audit.record(session, actor=actor.username, user_id=actor.user_id,
                 action="calibration_reference_saved", entity_type="calibration_vignette",
                 details={"vignette": vignette.id, "version": version, "outcome": outcome},
                 now=now)
    return version
