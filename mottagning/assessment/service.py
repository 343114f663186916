"""The skyddsbedömning of a queue item: start, autosave, finish, second signature.

Autosave and the audit trail: an answer (ja/nej/vet ej) is one deliberate act and gets
one `assessment_answered` event. A note is saved on every change the screen sends (it
debounces typing to about a third of a second, so a crash loses next to nothing), but
audited at most once a minute per assessment (`assessment_notes_saved`, naming the
question); the `assessment_finished` event then records every answer and note as they
count, with the shown questions, the rules fired and the form's id, version and SHA-256.

No lost update: each answer and each note carries its own version. The screen sends the
version it last saw; a save over a newer one (another desk changed the same answer or note
meanwhile) is refused with `AnswerChanged`, carrying the newer value, so the worker can
compare and choose. Saving the same value as the newer one is no conflict. The worker's
text waits meanwhile as a draft (`CONFLICT_DRAFT_KIND`), discarded by the save that
resolves the conflict.

A finished assessment is immutable: every writing service refuses it. It *counts* — the
item moves received → protection_assessed — when finished at or above the red-flag floor,
or, below the floor, when another senior has signed it as second assessor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.access import drafts
from mottagning.access.signature import verify_signature
from mottagning.assessment import (
    ANSWERS,
    IMMEDIATE_PROTECTION,
    OUTCOME_LABELS,
    OUTCOMES,
    Form,
    FormSet,
    FormUnavailable,
    Recommendation,
    gaps,
    load_forms,
    recommend,
    visible_questions,
)
from mottagning.assessment.form import YES_NO_UNKNOWN, outcome_rank
from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import (
    ConcurrentEdit,
    MottagningError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from mottagning.intake.alarms import open_alarm
from mottagning.intake.concern_flags import refresh_item_flags
from mottagning.models import QueueItem, User
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE, DRAFT, FINISHED, Assessment
from mottagning.queue.items import get_item, move_item
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status
from mottagning.timeutil import utc_now

FORM_ID = "skyddsbedomning"
SECOND_SIGNATURE_PHRASE = "Jag signerar skyddsbedömningen"
NOTE_AUDIT_INTERVAL = timedelta(minutes=1)
FORM_PROBLEM = "form_problem"
CONFLICT_DRAFT_KIND = "assessment_conflict"
ANSWER, NOTE = "answer", "note"

STATUS_LABELS = {
    DRAFT: "Skyddsbedömning pågår",
    AWAITING_SECOND_SIGNATURE: "Väntar på andra signatur",
    FINISHED: "Skyddsbedömning klar",
}

# The acute steps of an immediate-protection outcome, in the order they are usually taken.
CHECKLIST = (
    ("ordforande_6_lvu", "Kontakta nämndens ordförande om omedelbart omhändertagande "
                         "enligt 6 § LVU"),
    ("placering", "Ordna placering av barnet"),
    ("polis", "Kontakta polisen"),
)
CHECKLIST_LABELS = dict(CHECKLIST)


class AssessmentUnavailable(MottagningError):
    """No usable form: the assessment cannot be started or continued."""


class AssessmentLocked(MottagningError):
    """The assessment is finished (or waits for its second signature) and cannot change."""


class AnswerChanged(ConcurrentEdit):
    """Someone saved the same question's answer or note (`field`) since the screen read it;
    `theirs` is the newer value, `version` its version. Nothing was saved."""

    def __init__(self, *, question_id: str, question_text: str, field: str, theirs: object,
                 version: int, saved_by: str | None):
        what = "svaret på" if field == ANSWER else "anteckningen till"
        super().__init__(
            f"{saved_by or 'Någon annan'} har ändrat {what} frågan ”{question_text}” sedan du "
            "öppnade skyddsbedömningen. Jämför och välj; ingenting sparades.",
            theirs=theirs, version=version, saved_by=saved_by)
        self.question_id = question_id
        self.field = field


def conflict_draft_key(assessment_id: int, field: str, question_id: str) -> str:
    return f"{assessment_id}:{field}:{question_id}"


def item_of_conflict_draft(session: Session, actor: Actor, key: str) -> int | None:
    """The queue item of a conflict draft's assessment (to open it from the start-up
    offer); None when the assessment is gone."""
    actor.require(Action.READ_CASE)
    assessment_id = key.split(":", 1)[0]
    if not assessment_id.isdigit():
        return None
    return session.execute(select(Assessment.item_id).where(
        Assessment.id == int(assessment_id))).scalar_one_or_none()


class ProtectionNotAssessed(MottagningError):
    """Contact with the family before the skyddsbedömning counts."""


@dataclass(frozen=True)
class AssessmentState:
    """An assessment as the screen shows it, with the live recommendation."""

    id: int
    item_id: int
    child_id: int
    status: str
    form: Form
    answers: dict[str, str]
    notes: dict[str, str]
    focus_question: str | None
    recommendation: Recommendation
    outcome: str | None
    override_reason: str | None
    checklist: dict[str, bool]
    started_by: str
    started_at: datetime
    finished_by_id: int | None
    finished_by: str | None
    finished_at: datetime | None
    second_signer: str | None
    second_signed_at: datetime | None
    version: int
    changes: Changes = field(default_factory=Changes)
    proposal_id: int | None = None
    # question id -> the version of its answer / note (0: never saved)
    answer_versions: dict[str, int] = field(default_factory=dict)
    note_versions: dict[str, int] = field(default_factory=dict)

    @property
    def read_only(self) -> bool:
        return self.status != DRAFT

    @property
    def below_floor(self) -> bool:
        floor = self.recommendation.floor
        return bool(self.outcome and floor and outcome_rank(self.outcome) < outcome_rank(floor))


def _forms(forms: FormSet | None) -> FormSet:
    return forms if forms is not None else load_forms()


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.full_name if user is not None else None


def _form_of(assessment: Assessment, forms: FormSet) -> Form:
    try:
        form = forms.version(assessment.form_id, assessment.form_version)
    except FormUnavailable as error:
        raise AssessmentUnavailable(str(error)) from None
    if form.sha256 != assessment.form_sha256:
        raise AssessmentUnavailable(
            f"Formuläret {form.id} version {form.version} har ändrats sedan bedömningen "
            "påbörjades och kan inte användas. Kontakta systemförvaltaren."
        )
    return form


def _state(session: Session, assessment: Assessment, form: Form, *,
           changes: Changes | None = None, proposal_id: int | None = None) -> AssessmentState:
    item = session.get(QueueItem, assessment.item_id)
    assert item is not None
    return AssessmentState(
        id=assessment.id, item_id=assessment.item_id, child_id=item.child_id,
        status=assessment.status, form=form, answers=dict(assessment.answers),
        notes=dict(assessment.notes), focus_question=assessment.focus_question,
        recommendation=recommend(form, assessment.answers), outcome=assessment.outcome,
        override_reason=assessment.override_reason, checklist=dict(assessment.checklist),
        started_by=_name(session, assessment.started_by_id) or "",
        started_at=assessment.started_at, finished_by_id=assessment.finished_by_id,
        finished_by=_name(session, assessment.finished_by_id),
        finished_at=assessment.finished_at,
        second_signer=_name(session, assessment.second_signer_id),
        second_signed_at=assessment.second_signed_at, version=assessment.version,
        changes=changes or Changes(), proposal_id=proposal_id,
        answer_versions=_versions(assessment.answer_versions),
        note_versions=_versions(assessment.note_versions),
    )


def _versions(stored: dict[str, Any] | None) -> dict[str, int]:
    return {question: int(entry["version"]) for question, entry in (stored or {}).items()}


def _next_version(session: Session, actor: Actor, stored: dict[str, Any] | None, *,
                  question_id: str, question_text: str, field: str, current: object,
                  new: object, expected_version: int | None) -> dict[str, Any]:
    """The versions with `question_id`'s bumped, or AnswerChanged when the caller saw an
    older version and would change what is saved now. `expected_version` None: the caller
    read nothing first (a script), and the save is not checked."""
    versions = dict(stored or {})
    entry = versions.get(question_id) or {"version": 0, "by": None}
    if expected_version is not None and expected_version != entry["version"] and new != current:
        raise AnswerChanged(question_id=question_id, question_text=question_text, field=field,
                            theirs=current, version=int(entry["version"]),
                            saved_by=_name(session, entry["by"]))
    versions[question_id] = {"version": int(entry["version"]) + 1, "by": actor.user_id}
    return versions


def record_event(session: Session, actor: Actor, assessment: Assessment, action: str,
            details: dict[str, Any], now: datetime) -> None:
    item = session.get(QueueItem, assessment.item_id)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action=action,
        entity_type="assessment", entity_id=assessment.id,
        child_id=item.child_id if item else None,
        details={"item_id": assessment.item_id, **details}, now=now,
    )


def _load(session: Session, assessment_id: int, *, for_update: bool = False) -> Assessment:
    query = select(Assessment).where(Assessment.id == assessment_id)
    if for_update:
        # Autosaves of one draft from two screens queue up instead of failing on PostgreSQL.
        query = query.with_for_update()
    assessment = session.execute(query).scalar_one_or_none()
    if assessment is None:
        raise NotFound(f"Skyddsbedömning {assessment_id} finns inte.")
    return assessment


def _editable(session: Session, assessment_id: int) -> Assessment:
    assessment = _load(session, assessment_id, for_update=True)
    if assessment.status != DRAFT:
        raise AssessmentLocked(
            "Skyddsbedömningen är avslutad och kan inte ändras. "
            + ("Den väntar på andra signatur." if assessment.status == AWAITING_SECOND_SIGNATURE
               else "En avslutad bedömning är låst; skriv en ny anteckning i ärendet i stället.")
        )
    return assessment


def report_form_problems(session: Session, actor: Actor, *, forms: FormSet | None = None,
                         now: datetime | None = None) -> int:
    """Open a `form_problem` alarm for each problem in the form files; returns how many
    are new. Called when the GUI starts and when an assessment starts."""
    forms = _forms(forms)
    now = now or utc_now()
    opened = 0
    for problem in forms.problems:
        _alarm, new = open_alarm(
            session, actor, kind=FORM_PROBLEM, key=f"{problem.file.name}:{problem.entry}"[:300],
            source=problem.file.name, now=now,
            detail=f"Fel i bedömningsformulär: {problem}. Handläggarna använder den senaste "
                   "giltiga versionen tills felet är rättat; kör `mottagning forms check`.",
        )
        opened += new
    return opened


def start_or_resume(session: Session, actor: Actor, item_id: int, *,
                    forms: FormSet | None = None, now: datetime | None = None) -> AssessmentState:
    """The item's assessment: a new draft on the current form version, or the existing one
    (a draft keeps the form version it started with). Audited as a start or a read."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    forms = _forms(forms)
    item = get_item(session, item_id)
    assessment = session.execute(
        select(Assessment).where(Assessment.item_id == item_id)
    ).scalar_one_or_none()
    if assessment is not None:
        form = _form_of(assessment, forms)
        record_event(session, actor, assessment, "assessment_read", {"status": assessment.status}, now)
        return _state(session, assessment, form)
    if item.status != Status.RECEIVED:
        raise AssessmentUnavailable(
            "Ärendet är redan förbi skyddsbedömningen och har ingen bedömning i programmet; "
            "en ny skyddsbedömning kan inte påbörjas här."
        )
    try:
        form = forms.current(FORM_ID)
    except FormUnavailable as error:
        raise AssessmentUnavailable(str(error)) from None
    report_form_problems(session, actor, forms=forms, now=now)
    assessment = Assessment(
        item_id=item_id, form_id=form.id, form_version=form.version, form_sha256=form.sha256,
        status=DRAFT, answers={}, notes={}, focus_question=None,
        shown_questions=[q.id for q in visible_questions(form, {})], rules_fired=[],
        checklist={}, started_by_id=actor.user_id, started_at=now, updated_at=now,
    )
    session.add(assessment)
    session.flush()
    record_event(session, actor, assessment, "assessment_started",
            {"form_id": form.id, "form_version": form.version, "form_sha256": form.sha256}, now)
    return _state(session, assessment, form, changes=Changes(item_ids=(item_id,)))


def get_assessment(session: Session, actor: Actor, assessment_id: int, *,
                   forms: FormSet | None = None, now: datetime | None = None) -> AssessmentState:
    """Read an assessment (audited)."""
    actor.require(Action.READ_CASE)
    actor.require(Action.ASSESS)
    assessment = _load(session, assessment_id)
    form = _form_of(assessment, _forms(forms))
    record_event(session, actor, assessment, "assessment_read", {"status": assessment.status},
            now or utc_now())
    return _state(session, assessment, form)


def save_answer(session: Session, actor: Actor, assessment_id: int, question_id: str,
                answer: str | None, *, expected_version: int | None = None,
                after_conflict: bool = False, forms: FormSet | None = None,
                now: datetime | None = None) -> AssessmentState:
    """Autosave one answer ("ja", "nej", "vet_ej"; None clears it). One audit event.

    `expected_version` is the answer's version the screen last saw (AnswerChanged when it
    is older); `after_conflict` marks the save that resolves a conflict (it discards the
    worker's conflict draft)."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = _editable(session, assessment_id)
    form = _form_of(assessment, _forms(forms))
    question = _question(form, question_id)
    if question.kind != YES_NO_UNKNOWN:
        raise ValidationError([f"Frågan ”{question.text}” besvaras med en anteckning."])
    if answer is not None and answer not in ANSWERS:
        raise ValidationError([f"Ogiltigt svar {answer!r}; tillåtna svar: ja, nej, vet ej."])
    answers = dict(assessment.answers)
    previous = answers.get(question_id)
    assessment.answer_versions = _next_version(
        session, actor, assessment.answer_versions, question_id=question_id,
        question_text=question.text, field=ANSWER, current=previous, new=answer,
        expected_version=expected_version)
    if answer is None:
        answers.pop(question_id, None)
    else:
        answers[question_id] = answer
    assessment.answers = answers
    assessment.focus_question = question_id
    assessment.shown_questions = [q.id for q in visible_questions(form, answers)]
    assessment.updated_at = now
    session.flush()
    version = assessment.answer_versions[question_id]["version"]
    record_event(session, actor, assessment, "assessment_answered",
            {"question": question_id, "answer": answer, "previous": previous,
             "version": version, **({"after_conflict": True} if after_conflict else {})}, now)
    if after_conflict:
        _resolved(session, actor, assessment.id, ANSWER, question_id)
    return _state(session, assessment, form)


def _resolved(session: Session, actor: Actor, assessment_id: int, field: str,
              question_id: str) -> None:
    drafts.discard_draft(session, actor, kind=CONFLICT_DRAFT_KIND,
                         key=conflict_draft_key(assessment_id, field, question_id))


@dataclass(frozen=True)
class ConflictDraft:
    """The worker's answer or note that met a newer one, kept until they choose."""

    field: str
    question_id: str
    value: str | None


def conflict_draft_content(field: str, question_id: str, value: str | None) -> dict[str, Any]:
    """What a conflict draft holds (see `conflict_drafts`)."""
    return {"field": field, "question": question_id, "value": value}


def keep_conflict_draft(session: Session, actor: Actor, assessment_id: int, *, field: str,
                        question_id: str, value: str | None) -> None:
    """Keep the worker's refused answer or note (their own draft: no audit event)."""
    drafts.save_draft(session, actor, kind=CONFLICT_DRAFT_KIND,
                      key=conflict_draft_key(assessment_id, field, question_id),
                      content=conflict_draft_content(field, question_id, value))


def drop_conflict_draft(session: Session, actor: Actor, assessment_id: int, *, field: str,
                        question_id: str) -> None:
    """The worker took the newer answer or note: their refused one is not kept."""
    _resolved(session, actor, assessment_id, field, question_id)


def conflict_drafts(session: Session, actor: Actor, assessment_id: int) -> list[ConflictDraft]:
    """The worker's refused answers and notes of this assessment still waiting for a choice
    (the window was closed or the program died before they chose)."""
    prefix = f"{assessment_id}:"
    return [ConflictDraft(d.content["field"], d.content["question"], d.content["value"])
            for d in drafts.list_drafts(session, actor, CONFLICT_DRAFT_KIND)
            if d.key.startswith(prefix)]


def save_note(session: Session, actor: Actor, assessment_id: int, question_id: str, text: str,
              *, expected_version: int | None = None, after_conflict: bool = False,
              forms: FormSet | None = None, now: datetime | None = None) -> AssessmentState:
    """Autosave the note of one question (called while the worker types; see the module
    docstring for how this is audited, and `save_answer` for the version arguments). The
    save that resolves a conflict is always audited."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = _editable(session, assessment_id)
    form = _form_of(assessment, _forms(forms))
    question = _question(form, question_id)
    notes = dict(assessment.notes)
    assessment.note_versions = _next_version(
        session, actor, assessment.note_versions, question_id=question_id,
        question_text=question.text, field=NOTE, current=notes.get(question_id, ""),
        new=text if text.strip() else "", expected_version=expected_version)
    if text.strip():
        notes[question_id] = text
    else:
        notes.pop(question_id, None)
    assessment.notes = notes
    assessment.focus_question = question_id
    assessment.updated_at = now
    due = (after_conflict or assessment.notes_audited_at is None
           or now - assessment.notes_audited_at >= NOTE_AUDIT_INTERVAL)
    if due:
        assessment.notes_audited_at = now
    session.flush()
    if due:
        record_event(session, actor, assessment, "assessment_notes_saved",
                {"question": question_id, "length": len(text),
                 "version": assessment.note_versions[question_id]["version"],
                 **({"after_conflict": True} if after_conflict else {})}, now)
    if after_conflict:
        _resolved(session, actor, assessment.id, NOTE, question_id)
    return _state(session, assessment, form)


def _question(form: Form, question_id: str):  # type: ignore[no-untyped-def]
    try:
        return form.question(question_id)
    except KeyError:
        raise ValidationError([f"Formuläret har ingen fråga ”{question_id}”."]) from None


def finish(session: Session, actor: Actor, assessment_id: int, *, outcome: str,
           override_reason: str | None, expected_version: int,
           seen_answers: dict[str, str] | None = None, forms: FormSet | None = None,
           now: datetime | None = None) -> AssessmentState:
    """Finish the assessment with the worker's chosen outcome.

    Another outcome than the recommendation needs a written reason; an outcome below the
    red-flag floor waits for a second signature before it counts. Immediate protection
    counts at once (protective action never waits for a signature): the item becomes
    acute and an urgent proposal to open an investigation is created.

    `seen_answers` are the answers the worker's screen shows: when another desk changed an
    answer meanwhile, the worker never finishes on answers they have not seen.
    """
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = _editable(session, assessment_id)
    if assessment.version != expected_version:
        raise ConcurrentEdit("Någon annan har ändrat skyddsbedömningen sedan du öppnade den. "
                             "Öppna den igen; ingenting avslutades.")
    form = _form_of(assessment, _forms(forms))
    if seen_answers is not None and seen_answers != assessment.answers:
        changed = sorted(set(seen_answers.items()) ^ set(assessment.answers.items()))
        questions = dict.fromkeys(_question(form, question).text for question, _ in changed)
        raise ConcurrentEdit(
            "Någon annan har ändrat svar i skyddsbedömningen som du inte har sett: "
            + "; ".join(f"”{text}”" for text in questions)
            + ". Stäng och öppna den igen och läs svaren; ingenting avslutades.")
    problems = [f"{form.question(gap.question_id).text} – {gap.message}"
                for gap in gaps(form, assessment.answers, assessment.notes)]
    if outcome not in OUTCOMES:
        problems.append("Välj ett utfall av skyddsbedömningen.")
    result = recommend(form, assessment.answers)
    reason = (override_reason or "").strip() or None
    if outcome in OUTCOMES and outcome != result.outcome and reason is None:
        problems.append(
            f"Du har valt ”{OUTCOME_LABELS[outcome]}” men formuläret rekommenderar "
            f"”{OUTCOME_LABELS[result.outcome]}”: skriv varför."
        )
    if problems:
        raise ValidationError(problems)
    below_floor = bool(result.floor) and outcome_rank(outcome) < outcome_rank(result.floor)
    counted = counted_answers(form, assessment.answers)
    assessment.answers = counted
    assessment.notes = {k: v for k, v in assessment.notes.items()
                        if k in {q.id for q in visible_questions(form, counted)}}
    assessment.shown_questions = [q.id for q in visible_questions(form, counted)]
    assessment.recommended_outcome = result.outcome
    assessment.floor = result.floor
    assessment.rules_fired = list(result.rules_fired)
    assessment.outcome = outcome
    assessment.override_reason = reason if outcome != result.outcome else None
    assessment.finished_by_id = actor.user_id
    assessment.finished_at = now
    assessment.updated_at = now
    assessment.status = AWAITING_SECOND_SIGNATURE if below_floor else FINISHED
    session.flush()
    record_event(session, actor, assessment, "assessment_finished", {
        "form_id": form.id, "form_version": form.version, "form_sha256": form.sha256,
        "answers": assessment.answers,
        "notes": {question: audit.text_digest(text) for question, text in assessment.notes.items()},
        "shown_questions": assessment.shown_questions, "rules_fired": assessment.rules_fired,
        "recommended_outcome": result.outcome, "floor": result.floor, "outcome": outcome,
        "override_reason": audit.text_digest(assessment.override_reason),
        "awaits_second_signature": below_floor,
    }, now)
    # What the answers found (violence, immediate danger) flags the item at once, also while
    # a below-floor outcome waits for its second signature.
    refresh_item_flags(session, actor, get_item(session, assessment.item_id),
                       cause="assessment_finished", now=now)
    if below_floor:
        return _state(session, assessment, form,
                      changes=Changes(queue=True, item_ids=(assessment.item_id,)))
    return _counts(session, actor, assessment, form, now)


def counted_answers(form: Form, answers: dict[str, str]) -> dict[str, str]:
    """Answers to questions no longer shown are dropped when the assessment is finished."""
    shown = {q.id for q in visible_questions(form, answers)}
    return {k: v for k, v in answers.items() if k in shown}


def _counts(session: Session, actor: Actor, assessment: Assessment, form: Form,
            now: datetime) -> AssessmentState:
    item = get_item(session, assessment.item_id)
    if item.status == Status.RECEIVED:
        move_item(session, actor, item, Status.PROTECTION_ASSESSED,
                  details={"assessment_id": assessment.id, "outcome": assessment.outcome},
                  now=now)
    proposal_id = None
    if assessment.outcome == IMMEDIATE_PROTECTION:
        from mottagning.decisions.proposals import create_urgent_proposal  # the decisions area

        item.flag_immediate_danger = True
        session.flush()
        proposal_id = create_urgent_proposal(session, actor, item.id,
                                             assessment_id=assessment.id, now=now)
    return _state(session, assessment, form, proposal_id=proposal_id, changes=Changes(
        queue=True, item_ids=(item.id,), decisions=proposal_id is not None))


def second_sign(session: Session, actor: Actor, assessment_id: int, *, secret: str,
                forms: FormSet | None = None, now: datetime | None = None) -> AssessmentState:
    """A senior other than the one who finished it signs a below-floor assessment; then
    it counts."""
    actor.require(Action.SECOND_SIGN_ASSESSMENT)
    now = now or utc_now()
    assessment = _load(session, assessment_id, for_update=True)
    if assessment.status != AWAITING_SECOND_SIGNATURE:
        raise AssessmentLocked("Skyddsbedömningen väntar inte på någon andra signatur.")
    if assessment.finished_by_id == actor.user_id:
        raise PermissionDenied("Du kan inte vara andra bedömare av en skyddsbedömning som du "
                               "själv har avslutat. Be en kollega som är förste "
                               "socialsekreterare eller enhetschef.")
    verify_signature(session, actor, secret, expected_phrase=SECOND_SIGNATURE_PHRASE)
    form = _form_of(assessment, _forms(forms))
    assessment.status = FINISHED
    assessment.second_signer_id = actor.user_id
    assessment.second_signed_at = now
    assessment.updated_at = now
    session.flush()
    record_event(session, actor, assessment, "assessment_second_signed",
            {"outcome": assessment.outcome, "floor": assessment.floor,
             "finished_by_id": assessment.finished_by_id}, now)
    return _counts(session, actor, assessment, form, now)


def update_checklist(session: Session, actor: Actor, assessment_id: int, step: str, done: bool,
                     *, forms: FormSet | None = None,
                     now: datetime | None = None) -> AssessmentState:
    """Tick a step of the immediate-protection checklist (the assessment itself stays locked)."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    assessment = _load(session, assessment_id, for_update=True)
    if assessment.outcome != IMMEDIATE_PROTECTION or assessment.status != FINISHED:
        raise ValidationError(["Checklistan gäller bara en avslutad bedömning med "
                               "omedelbart skyddsbehov."])
    if step not in CHECKLIST_LABELS:
        raise ValidationError([f"Okänt steg i checklistan: {step}."])
    assessment.checklist = {**assessment.checklist, step: bool(done)}
    assessment.updated_at = now
    session.flush()
    record_event(session, actor, assessment, "assessment_checklist_updated",
            {"step": step, "done": bool(done)}, now)
    return _state(session, assessment, _form_of(assessment, _forms(forms)),
                  changes=Changes(item_ids=(assessment.item_id,)))


def assessment_statuses(session: Session, item_ids: list[int]) -> dict[int, str]:
    """item id → assessment status, for the items that have an assessment (for the queue)."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Assessment.item_id, Assessment.status).where(Assessment.item_id.in_(item_ids))
    )
    return {item_id: status for item_id, status in rows}


def require_protection_assessed(session: Session, item_id: int) -> None:
    """Raise ProtectionNotAssessed unless the item's skyddsbedömning counts: guardians are
    not contacted (kallelse, calls) before it does."""
    item = get_item(session, item_id)
    if item.status != Status.RECEIVED:
        return
    status = assessment_statuses(session, [item_id]).get(item_id)
    why = {
        None: "Skyddsbedömningen är inte påbörjad.",
        DRAFT: "Skyddsbedömningen pågår men är inte avslutad.",
        AWAITING_SECOND_SIGNATURE: "Skyddsbedömningen väntar på andra signatur av en förste "
                                   "socialsekreterare eller enhetschef.",
        FINISHED: "Skyddsbedömningen är inte registrerad som klar.",
    }[status]
    raise ProtectionNotAssessed(
        f"{why} Vårdnadshavarna får inte kontaktas (kallelse eller samtal) förrän "
        "skyddsbedömningen är klar, eftersom en kontakt kan utsätta barnet för risk."
    )
