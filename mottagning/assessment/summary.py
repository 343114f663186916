"""The skyddsbedömning as text, for the second reviewer's pane beside the proposal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.assessment import OUTCOME_LABELS, FormUnavailable, load_forms
from mottagning.assessment.service import STATUS_LABELS
from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.models import User
from mottagning.models.assessment import Assessment
from mottagning.rules.permissions import Action
from mottagning.timeutil import format_datetime_sv, utc_now

ANSWER_TEXT = {"ja": "Ja", "nej": "Nej", "vet_ej": "Vet ej"}


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.full_name if user is not None else "okänd"


def assessment_summary(
    session: Session, actor: Actor, item_id: int, *, now: datetime | None = None
) -> str | None:
    """Status, outcome, rules fired and every shown answer with its note (audited read);
    None when the item has no assessment."""
    actor.require(Action.READ_CASE)
    assessment = session.execute(
        select(Assessment).where(Assessment.item_id == item_id)
    ).scalar_one_or_none()
    if assessment is None:
        return None
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="assessment_read",
        entity_type="assessment", entity_id=assessment.id, details={"item_id": item_id},
        now=now or utc_now(),
    )
    lines = [STATUS_LABELS.get(assessment.status, assessment.status)]
    if assessment.finished_at is not None:
        lines[0] += f" – {_name(session, assessment.finished_by_id)}, {format_datetime_sv(assessment.finished_at)}"
    if assessment.outcome:
        lines.append(f"Bedömning: {OUTCOME_LABELS.get(assessment.outcome, assessment.outcome)}")
    if assessment.recommended_outcome:
        lines.append("Rekommendation: "
                     + OUTCOME_LABELS.get(assessment.recommended_outcome, assessment.recommended_outcome))
    if assessment.override_reason:
        lines.append(f"Motivering till avvikande val: {assessment.override_reason}")
    if assessment.second_signed_at is not None:
        lines.append(f"Andra signatur: {_name(session, assessment.second_signer_id)}, "
                     f"{format_datetime_sv(assessment.second_signed_at)}")
    try:
        form = load_forms().version(assessment.form_id, assessment.form_version)
    except FormUnavailable:
        form = None
    if assessment.rules_fired:
        lines.append("")
        lines.append("Regler som slog till:")
        for fired in assessment.rules_fired:
            lines.append(f"• {form.explain(fired) if form is not None else fired}")
    if form is not None:
        lines.append("")
        lines.append("Svar:")
        for question in form.questions:
            if question.id not in assessment.shown_questions and question.id not in assessment.answers:
                continue
            answer = ANSWER_TEXT.get(assessment.answers.get(question.id, ""), "–")
            note = (assessment.notes or {}).get(question.id)
            lines.append(f"{question.text} {answer}" + (f" – {note}" if note else ""))
    lines.append("")
    lines.append(f"Formulär {assessment.form_id} version {assessment.form_version}")
    return "\n".join(lines)
