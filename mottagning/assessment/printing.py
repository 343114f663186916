"""Printing a finished skyddsbedömning for the case file (an audited read)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mottagning.assessment import FormSet
from mottagning.assessment import service as assessments
from mottagning.assessment.form import FREE_TEXT
from mottagning.assessment.pdf import AssessmentPrint, PrintedQuestion, render_assessment_pdf
from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.models import QueueItem
from mottagning.models.assessment import FINISHED, Assessment
from mottagning.rules.permissions import Action
from mottagning.settings import is_demo, setting
from mottagning.timeutil import utc_now

# The letters' municipality profile names the sender on the case-file copy too.
PROFILE_KEY = "municipality_profile"


def assessment_print(session: Session, actor: Actor, assessment_id: int, *,
                     forms: FormSet | None = None, now: datetime | None = None) -> AssessmentPrint:
    """What the PDF of a finished assessment shows; audited as `assessment_printed`."""
    actor.require(Action.READ_CASE)
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = session.get(Assessment, assessment_id)
    state = assessments.get_assessment(session, actor, assessment_id, forms=forms, now=now)
    if assessment is None or state.status != FINISHED or state.finished_at is None:
        raise ValidationError(["Bara en avslutad skyddsbedömning kan skrivas ut."])
    item = session.get(QueueItem, assessment.item_id)
    assert item is not None
    form = state.form
    sections = {q.id: s.title for s in form.sections for q in s.questions}
    questions = tuple(
        PrintedQuestion(
            section=sections[qid], text=form.question(qid).text,
            answer=None if form.question(qid).kind == FREE_TEXT else state.answers.get(qid),
            note=state.notes.get(qid, ""),
        )
        for qid in assessment.shown_questions
    )
    profile = setting(session, PROFILE_KEY)
    record = AssessmentPrint(
        municipality=str(profile.get("municipality") or "Socialtjänsten"),
        unit=str(profile.get("unit") or "Mottagningsenheten för barn och unga"),
        child_name=item.child.name, personnummer=item.child.personnummer, item_id=item.id,
        received_at=item.received_at, form_title=form.title, form_id=assessment.form_id,
        form_version=assessment.form_version, form_sha256=assessment.form_sha256,
        questions=questions,
        rules_fired=tuple(form.explain(fired) for fired in assessment.rules_fired),
        recommended_outcome=assessment.recommended_outcome or "",
        floor=assessment.floor, outcome=assessment.outcome or "",
        override_reason=assessment.override_reason, started_by=state.started_by,
        started_at=state.started_at, finished_by=state.finished_by or "",
        finished_at=state.finished_at, second_signer=state.second_signer,
        second_signed_at=state.second_signed_at,
        checklist=tuple((label, bool(state.checklist.get(step)))
                        for step, label in assessments.CHECKLIST)
        if state.outcome == assessments.IMMEDIATE_PROTECTION else (),
        violence_flag=item.flag_violence, demo=is_demo(session),
    )
    assessments.record_event(session, actor, assessment, "assessment_printed", {}, now)
    return record


def assessment_pdf(session: Session, actor: Actor, assessment_id: int, *,
                   forms: FormSet | None = None, now: datetime | None = None) -> bytes:
    """The PDF of a finished assessment (the read is audited)."""
    return render_assessment_pdf(assessment_print(session, actor, assessment_id,
                                                  forms=forms, now=now))
