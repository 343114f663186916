"""Calibration rounds and the training answers given in them.

A senior opens a round: a set of vignettes (pinned at their current version) and a closing
date. Each worker answers every vignette on the skyddsbedömning screen in training mode;
the answers go to the calibration tables only. Nothing here touches a queue item, an
assessment or the case audit: a round is a training exercise, not case work. Opening a
round and saving a reference answer are recorded in the audit chain without any child or
answer in them (they are changes to the unit's material, not to a case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mottagning.assessment import (
    ANSWERS,
    OUTCOME_LABELS,
    OUTCOMES,
    Form,
    FormSet,
    FormUnavailable,
    Recommendation,
    gaps,
    load_forms,
    recommend,
)
from mottagning.assessment.engine import counted_answers
from mottagning.assessment.form import YES_NO_UNKNOWN
from mottagning.audit import chain as audit
from mottagning.calibration.vignettes import Vignette, VignetteSet, load_vignettes
from mottagning.context import Actor, Changes
from mottagning.errors import ConcurrentEdit, MottagningError, NotFound, ValidationError
from mottagning.models import (
    CalibrationParticipant,
    CalibrationRound,
    CalibrationRoundVignette,
    TrainingAnswer,
    User,
)
from mottagning.models.calibration import TRAINING_DRAFT, TRAINING_FINISHED
from mottagning.rules.permissions import Action
from mottagning.timeutil import to_local, utc_now

FORM_ID = "skyddsbedomning"
TRAINING_MARK = "ÖVNING – inget riktigt ärende"


class RoundClosed(MottagningError):
    """The round's closing date has passed: no more answers."""


@dataclass(frozen=True)
class Material:
    """The forms and vignettes a service works with (tests pass their own)."""

    forms: FormSet
    vignettes: VignetteSet


def material(forms: FormSet | None = None, vignettes: VignetteSet | None = None) -> Material:
    forms = forms if forms is not None else load_forms()
    return Material(forms, vignettes if vignettes is not None else load_vignettes(forms))


@dataclass(frozen=True)
class RoundSummary:
    id: int
    title: str
    form_id: str
    form_version: int
    closes_on: date
    opened_at: datetime
    opened_by: str
    vignette_ids: tuple[str, ...]
    participants: int
    finished_answers: int
    my_finished: tuple[str, ...]
    is_open: bool


@dataclass(frozen=True)
class TrainingState:
    """A training answer as the skyddsbedömning screen shows it.

    Shaped like an assessment's state (answers, notes, recommendation, outcome, version)
    so the same screen serves both; `item_id` is None because there is no case.
    """

    id: int
    round_id: int
    vignette: Vignette
    status: str
    form: Form
    answers: dict[str, str]
    notes: dict[str, str]
    focus_question: str | None
    recommendation: Recommendation
    outcome: str | None
    override_reason: str | None
    finished_by_id: int | None
    finished_by: str | None
    finished_at: datetime | None
    version: int
    pseudonym: str
    item_id: None = None
    started_by: str = ""
    second_signer: None = None
    second_signed_at: None = None
    checklist: dict[str, bool] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)
    proposal_id: None = None
    training: bool = True

    @property
    def read_only(self) -> bool:
        return self.status != TRAINING_DRAFT

    @property
    def below_floor(self) -> bool:
        return False


def pseudonym(number: int) -> str:
    return f"Deltagare {number}"


def local_today(now: datetime) -> date:
    return to_local(now).date()


def open_round(session: Session, actor: Actor, *, title: str, vignette_ids: list[str],
               closes_on: date, stuff: Material | None = None,
               now: datetime | None = None) -> int:
    """Open a calibration round (seniors). The vignettes are pinned at their current
    version; all must be written for the current form version."""
    actor.require(Action.LEAD_CALIBRATION)
    now = now or utc_now()
    stuff = stuff or material()
    problems = []
    if not title.strip():
        problems.append("Ge omgången ett namn.")
    if not vignette_ids:
        problems.append("Välj minst en vinjett.")
    if len(set(vignette_ids)) != len(vignette_ids):
        problems.append("En vinjett kan bara finnas en gång i en omgång.")
    if closes_on < local_today(now):
        problems.append("Sista svarsdagen har redan passerat.")
    try:
        form = stuff.forms.current(FORM_ID)
    except FormUnavailable as error:
        raise ValidationError([str(error)]) from None
    for vignette_id in vignette_ids:
        vignette = stuff.vignettes.vignettes.get(vignette_id)
        if vignette is None:
            problems.append(f"Vinjetten {vignette_id} finns inte eller är inte giltig.")
        elif (vignette.form_id, vignette.form_version) != (form.id, form.version):
            problems.append(f"Vinjetten {vignette_id} är skriven för {vignette.form_id} "
                            f"version {vignette.form_version}, inte den gällande version "
                            f"{form.version}.")
    if problems:
        raise ValidationError(problems)
    from mottagning.calibration.references import current_version

    calibration_round = CalibrationRound(title=title.strip(), form_id=form.id,
                                         form_version=form.version, closes_on=closes_on,
                                         opened_by_id=actor.user_id, opened_at=now)
    session.add(calibration_round)
    session.flush()
    for position, vignette_id in enumerate(vignette_ids):
        session.add(CalibrationRoundVignette(
            round_id=calibration_round.id, vignette_id=vignette_id,
            vignette_version=current_version(session, stuff.vignettes.get(vignette_id)),
            position=position))
    session.flush()
    audit.record(session, actor=actor.username, user_id=actor.user_id,
                 action="calibration_round_opened", entity_type="calibration_round",
                 entity_id=calibration_round.id,
                 details={"vignettes": vignette_ids, "closes_on": closes_on.isoformat(),
                          "form_version": form.version}, now=now)
    return calibration_round.id


def get_round(session: Session, round_id: int) -> CalibrationRound:
    calibration_round = session.get(CalibrationRound, round_id)
    if calibration_round is None:
        raise NotFound(f"Kalibreringsomgång {round_id} finns inte.")
    return calibration_round


def round_vignettes(session: Session, round_id: int) -> list[CalibrationRoundVignette]:
    return list(session.execute(
        select(CalibrationRoundVignette).where(CalibrationRoundVignette.round_id == round_id)
        .order_by(CalibrationRoundVignette.position)).scalars())


def list_rounds(session: Session, actor: Actor, *, now: datetime | None = None) -> list[RoundSummary]:
    """Every round, newest first, with the acting worker's own progress."""
    actor.require(Action.CALIBRATE)
    today = local_today(now or utc_now())
    summaries = []
    for calibration_round in session.execute(
            select(CalibrationRound).order_by(CalibrationRound.opened_at.desc(),
                                              CalibrationRound.id.desc())).scalars():
        finished = list(session.execute(
            select(TrainingAnswer.vignette_id, TrainingAnswer.user_id)
            .where(TrainingAnswer.round_id == calibration_round.id,
                   TrainingAnswer.status == TRAINING_FINISHED)))
        participants = session.execute(
            select(func.count()).select_from(CalibrationParticipant)
            .where(CalibrationParticipant.round_id == calibration_round.id)).scalar_one()
        opener = session.get(User, calibration_round.opened_by_id)
        summaries.append(RoundSummary(
            id=calibration_round.id, title=calibration_round.title,
            form_id=calibration_round.form_id, form_version=calibration_round.form_version,
            closes_on=calibration_round.closes_on, opened_at=calibration_round.opened_at,
            opened_by=opener.full_name if opener else "",
            vignette_ids=tuple(v.vignette_id for v in round_vignettes(session, calibration_round.id)),
            participants=participants, finished_answers=len(finished),
            my_finished=tuple(sorted(v for v, user in finished if user == actor.user_id)),
            is_open=calibration_round.closes_on >= today,
        ))
    return summaries


PSEUDONYM_ATTEMPTS = 20


def _participant_number(session: Session, round_id: int, user_id: int) -> int:
    """The worker's number in the round, given at their first answer: the next free one.

    Two workers starting at the same moment on a server may both pick the same number;
    the unique constraint refuses the second, which then picks again in a savepoint
    (under read committed it sees the first one's number once that is committed)."""
    for _attempt in range(PSEUDONYM_ATTEMPTS):
        row = session.get(CalibrationParticipant, (round_id, user_id))
        if row is not None:
            return row.number
        highest = session.execute(select(func.max(CalibrationParticipant.number))
                                  .where(CalibrationParticipant.round_id == round_id)).scalar_one()
        row = CalibrationParticipant(round_id=round_id, user_id=user_id,
                                     number=(highest or 0) + 1)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue  # another worker took this number (or this worker, in another window)
        return row.number
    raise ConcurrentEdit("Många deltagare började samtidigt och du fick ingen deltagarkod. "
                         "Försök igen.")


def _form(stuff: Material, calibration_round: CalibrationRound) -> Form:
    try:
        return stuff.forms.version(calibration_round.form_id, calibration_round.form_version)
    except FormUnavailable as error:
        raise MottagningError(str(error)) from None


def _state(session: Session, answer: TrainingAnswer, stuff: Material) -> TrainingState:
    calibration_round = get_round(session, answer.round_id)
    form = _form(stuff, calibration_round)
    user = session.get(User, answer.user_id)
    number = _participant_number(session, answer.round_id, answer.user_id)
    return TrainingState(
        id=answer.id, round_id=answer.round_id, vignette=stuff.vignettes.get(answer.vignette_id),
        status=answer.status, form=form, answers=dict(answer.answers), notes=dict(answer.notes),
        focus_question=answer.focus_question, recommendation=recommend(form, answer.answers),
        outcome=answer.outcome, override_reason=answer.override_reason,
        finished_by_id=answer.user_id if answer.finished_at else None,
        finished_by=user.full_name if user and answer.finished_at else None,
        finished_at=answer.finished_at, version=answer.version, pseudonym=pseudonym(number),
    )


def start_training(session: Session, actor: Actor, round_id: int, vignette_id: str, *,
                   stuff: Material | None = None, now: datetime | None = None) -> TrainingState:
    """The worker's training answer to one vignette of a round: a new draft or the one
    already begun (a finished one opens read-only)."""
    actor.require(Action.CALIBRATE)
    now = now or utc_now()
    stuff = stuff or material()
    calibration_round = get_round(session, round_id)
    if vignette_id not in {v.vignette_id for v in round_vignettes(session, round_id)}:
        raise NotFound(f"Vinjetten {vignette_id} ingår inte i omgången.")
    answer = session.execute(select(TrainingAnswer).where(
        TrainingAnswer.round_id == round_id, TrainingAnswer.vignette_id == vignette_id,
        TrainingAnswer.user_id == actor.user_id)).scalar_one_or_none()
    if answer is None:
        if calibration_round.closes_on < local_today(now):
            raise RoundClosed("Omgången är stängd; sista svarsdagen har passerat.")
        _participant_number(session, round_id, actor.user_id)
        answer = TrainingAnswer(round_id=round_id, vignette_id=vignette_id,
                                user_id=actor.user_id, status=TRAINING_DRAFT, answers={},
                                notes={}, rules_fired=[], started_at=now)
        session.add(answer)
        session.flush()
    return _state(session, answer, stuff)


def _own_draft(session: Session, actor: Actor, answer_id: int, now: datetime) -> TrainingAnswer:
    answer = session.execute(select(TrainingAnswer).where(TrainingAnswer.id == answer_id)
                             .with_for_update()).scalar_one_or_none()
    if answer is None or answer.user_id != actor.user_id:
        raise NotFound("Övningssvaret finns inte.")
    if answer.status != TRAINING_DRAFT:
        raise ValidationError(["Övningen är redan avslutad och kan inte ändras."])
    if get_round(session, answer.round_id).closes_on < local_today(now):
        raise RoundClosed("Omgången är stängd; sista svarsdagen har passerat.")
    return answer


def save_training_answer(session: Session, actor: Actor, answer_id: int, question_id: str,
                         answer: str | None, *, stuff: Material | None = None,
                         now: datetime | None = None) -> TrainingState:
    """Autosave one answer of a training answer ("ja", "nej", "vet_ej"; None clears it)."""
    actor.require(Action.CALIBRATE)
    now = now or utc_now()
    stuff = stuff or material()
    row = _own_draft(session, actor, answer_id, now)
    form = _form(stuff, get_round(session, row.round_id))
    try:
        question = form.question(question_id)
    except KeyError:
        raise ValidationError([f"Formuläret har ingen fråga ”{question_id}”."]) from None
    if question.kind != YES_NO_UNKNOWN:
        raise ValidationError([f"Frågan ”{question.text}” besvaras med en anteckning."])
    if answer is not None and answer not in ANSWERS:
        raise ValidationError([f"Ogiltigt svar {answer!r}; tillåtna svar: ja, nej, vet ej."])
    answers = dict(row.answers)
    if answer is None:
        answers.pop(question_id, None)
    else:
        answers[question_id] = answer
    row.answers = answers
    row.focus_question = question_id
    session.flush()
    return _state(session, row, stuff)


def save_training_note(session: Session, actor: Actor, answer_id: int, question_id: str,
                       text: str, *, stuff: Material | None = None,
                       now: datetime | None = None) -> TrainingState:
    """Autosave the note of one question of a training answer."""
    actor.require(Action.CALIBRATE)
    now = now or utc_now()
    stuff = stuff or material()
    row = _own_draft(session, actor, answer_id, now)
    form = _form(stuff, get_round(session, row.round_id))
    try:
        form.question(question_id)
    except KeyError:
        raise ValidationError([f"Formuläret har ingen fråga ”{question_id}”."]) from None
    notes = dict(row.notes)
    if text.strip():
        notes[question_id] = text
    else:
        notes.pop(question_id, None)
    row.notes = notes
    row.focus_question = question_id
    session.flush()
    return _state(session, row, stuff)


def finish_training(session: Session, actor: Actor, answer_id: int, *, outcome: str,
                    override_reason: str | None, expected_version: int,
                    stuff: Material | None = None,
                    now: datetime | None = None) -> TrainingState:
    """Finish a training answer with the chosen outcome, under the same rules as a real
    skyddsbedömning (no gaps; another outcome than the recommendation needs a reason).
    Nothing else happens: no item moves, no proposal, no second signature."""
    actor.require(Action.CALIBRATE)
    now = now or utc_now()
    stuff = stuff or material()
    row = _own_draft(session, actor, answer_id, now)
    if row.version != expected_version:
        raise ConcurrentEdit("Övningssvaret har ändrats i ett annat fönster. Öppna det igen.")
    form = _form(stuff, get_round(session, row.round_id))
    problems = [f"{form.question(gap.question_id).text} – {gap.message}"
                for gap in gaps(form, row.answers, row.notes)]
    if outcome not in OUTCOMES:
        problems.append("Välj ett utfall av skyddsbedömningen.")
    result = recommend(form, row.answers)
    reason = (override_reason or "").strip() or None
    if outcome in OUTCOMES and outcome != result.outcome and reason is None:
        problems.append(f"Du har valt ”{OUTCOME_LABELS[outcome]}” men formuläret "
                        f"rekommenderar ”{OUTCOME_LABELS[result.outcome]}”: skriv varför.")
    if problems:
        raise ValidationError(problems)
    counted = counted_answers(form, row.answers)
    row.answers = counted
    row.recommended_outcome = result.outcome
    row.rules_fired = list(result.rules_fired)
    row.outcome = outcome
    row.override_reason = reason if outcome != result.outcome else None
    row.status = TRAINING_FINISHED
    row.finished_at = now
    session.flush()
    return _state(session, row, stuff)
