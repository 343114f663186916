"""The violence and immediate-danger flags of a queue item, and correcting a report's
concern codes.

A flag follows from everything known about the child, not only from the codes the
reporter chose: the report's concern codes and the reporter's own judgement of immediate
danger, and the skyddsbedömning's answers once it is finished (a "ja" to a violence
question, see `assessment_questions` in resources/codes.toml; a recommendation or an
outcome of immediate protection). The decision services read the flags, so the violence
guard (a written reason to not open, the signer's acknowledgement) applies whichever way
the violence became known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.access import drafts
from mottagning.assessment import IMMEDIATE_PROTECTION, YES
from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ConcurrentEdit, NotFound, ValidationError
from mottagning.models import QueueItem, Report, ReportCorrection
from mottagning.models.assessment import DRAFT, Assessment
from mottagning.rules.codes import codes
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now


def violence_in_answers(answers: Mapping[str, Any]) -> frozenset[str]:
    """The violence concerns a skyddsbedömning's answers show ("ja" to their questions)."""
    return frozenset(concern for question, concern in codes().violence_questions.items()
                     if answers.get(question) == YES)


def violence_in_codes(concern_codes: Iterable[str]) -> bool:
    return bool(set(concern_codes) & codes().violence_concerns)


def _finished_assessment(session: Session, item_id: int) -> Assessment | None:
    return session.execute(
        select(Assessment).where(Assessment.item_id == item_id, Assessment.status != DRAFT)
    ).scalar_one_or_none()


def considered_concerns(session: Session, assessment: Assessment) -> frozenset[str]:
    """The concerns a finished assessment took into account: its own report's codes and
    the violence its answers found."""
    item = session.get(QueueItem, assessment.item_id)
    assert item is not None
    return frozenset(item.report.concern_codes) | violence_in_answers(assessment.answers)


def refresh_item_flags(
    session: Session, actor: Actor, item: QueueItem, *, cause: str, now: datetime,
) -> bool:
    """Recompute the item's violence and immediate-danger flags; audits a change.
    Returns whether a flag changed."""
    assessment = _finished_assessment(session, item.id)
    violence = violence_in_codes(item.report.concern_codes)
    danger = bool(item.report.immediate_danger)
    if assessment is not None:
        violence = violence or bool(violence_in_answers(assessment.answers))
        danger = danger or IMMEDIATE_PROTECTION in (assessment.recommended_outcome,
                                                    assessment.outcome)
    # Immediate danger once shown stays: it is cleared by deciding, not by re-coding.
    danger = danger or item.flag_immediate_danger
    before = item.flags
    item.flag_violence = violence
    item.flag_immediate_danger = danger
    if item.flags == before:
        return False
    item.updated_at = now
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="item_flags_changed",
        entity_type="queue_item", entity_id=item.id, child_id=item.child_id,
        details={"from": before, "to": item.flags, "cause": cause,
                 "assessment_id": assessment.id if assessment else None}, now=now,
    )
    return True


@dataclass(frozen=True)
class ConcernCodes:
    """A report's concern codes as stored and their version: what a correction starts from."""

    report_id: int
    concern_codes: tuple[str, ...]
    version: int


def concern_codes_to_correct(session: Session, actor: Actor, report_id: int) -> ConcernCodes:
    """The codes a correction dialog opens on; its save passes `version` as `expected_version`,
    so a correction someone saved meanwhile is never overwritten unseen."""
    actor.require(Action.READ_CASE)
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"Anmälan {report_id} finns inte.")
    return ConcernCodes(report.id, tuple(report.concern_codes), report.version)


@dataclass(frozen=True)
class CorrectionResult:
    report_id: int
    concern_codes: tuple[str, ...]
    changes: Changes = field(default_factory=Changes)


CORRECTION_DRAFT_KIND = "concern_correction"


def correction_draft_key(report_id: int) -> str:
    """The worker's autosaved correction of a report's concern codes (codes and reason),
    kept until the correction is saved."""
    return str(report_id)


def item_of_report(session: Session, actor: Actor, report_id: int) -> int | None:
    """A queue item of the report (the first; siblings share the report), to open a
    correction draft from the start-up offer; None when the report is gone."""
    actor.require(Action.READ_CASE)
    return session.execute(select(QueueItem.id).where(QueueItem.report_id == report_id)
                           .order_by(QueueItem.id).limit(1)).scalar_one_or_none()


def correct_concern_codes(
    session: Session, actor: Actor, report_id: int, *, concern_codes: Iterable[str],
    reason: str, expected_version: int | None = None, now: datetime | None = None,
) -> CorrectionResult:
    """A worker corrects the concern codes of a report (what the report is really about).

    The reporter's own words are never changed. The reason is required and audited; the
    flags of every item of the report follow at once. The worker's autosaved draft of the
    correction is discarded.
    """
    actor.require(Action.READ_CASE)
    actor.require(Action.ASSESS)
    now = now or utc_now()
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"Anmälan {report_id} finns inte.")
    if expected_version is not None and report.version != expected_version:
        raise ConcurrentEdit("Någon annan har ändrat anmälan sedan du öppnade den. "
                             "Jämför din rättelse med den nya och välj; ingenting sparades.",
                             theirs=list(report.concern_codes), version=report.version)
    wanted = list(dict.fromkeys(concern_codes))
    known = codes().concern_categories
    problems = []
    if not wanted:
        problems.append("Välj minst en orsak till oro.")
    unknown = [c for c in wanted if c not in known]
    if unknown:
        problems.append(f"Okända orsakskoder: {', '.join(unknown)}.")
    if not reason.strip():
        problems.append("Skriv varför orsakerna till oro ändras.")
    if wanted == list(report.concern_codes):
        problems.append("Orsakerna till oro är oförändrade.")
    if problems:
        raise ValidationError(problems)
    before = list(report.concern_codes)
    report.concern_codes = wanted
    correction = ReportCorrection(
        report_id=report.id, field="concern_codes", old_value={"concern_codes": before},
        new_value={"concern_codes": wanted}, reason=reason.strip(),
        corrected_by_id=actor.user_id, corrected_at=now,
    )
    session.add(correction)
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="concern_codes_corrected",
        entity_type="report", entity_id=report.id,
        details={"from": before, "to": wanted, "correction_id": correction.id,
                 "reason": audit.text_digest(reason.strip()),
                 "items": [i.id for i in report.items]}, now=now,
    )
    for item in report.items:
        refresh_item_flags(session, actor, item, cause="concern_codes_corrected", now=now)
    drafts.discard_draft(session, actor, kind=CORRECTION_DRAFT_KIND,
                         key=correction_draft_key(report.id))
    item_ids = tuple(i.id for i in report.items)
    return CorrectionResult(report.id, tuple(wanted),
                            Changes(queue=True, item_ids=item_ids, decisions=True))
