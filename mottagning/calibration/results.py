"""What a round shows: agreement per question and for the outcome, the most disputed
questions first, agreement with the reference answers, the review of one vignette, α over
the rounds and the questions to bring to the form's owner.

Only finished training answers count. A question that was not shown to a worker (its
condition did not hold for their answers) is a missing value, as Krippendorff's α allows.
Results are pseudonymous: workers appear as "Deltagare N", numbered in the order they
first answered in the round; no name ever leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.assessment import ANSWERS, OUTCOMES, Form, recommend
from mottagning.assessment.form import YES_NO_UNKNOWN
from mottagning.calibration.agreement import Agreement, agreement, nominal_alpha, spread
from mottagning.calibration.references import newer_vignette, vignette_at
from mottagning.calibration.rounds import (
    Material,
    _form,
    get_round,
    material,
    pseudonym,
    round_vignettes,
)
from mottagning.calibration.vignettes import Vignette
from mottagning.context import Actor
from mottagning.errors import NotFound
from mottagning.models import (
    CalibrationParticipant,
    CalibrationRound,
    CalibrationRoundVignette,
    TrainingAnswer,
)
from mottagning.models.calibration import TRAINING_FINISHED
from mottagning.rules.permissions import Action
from mottagning.settings import setting

OUTCOME_KEY = "__outcome__"


@dataclass(frozen=True)
class QuestionResult:
    id: str
    text: str
    figures: Agreement
    spread: dict[str, int]
    reference_agreement: float | None
    notes: tuple[tuple[str, str, str], ...]  # (pseudonym, vignette title, note)


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    title: str
    closes_on: date
    opened_at: datetime
    form_id: str
    form_version: int
    participants: int
    answers: int
    vignettes: int
    outcome: Agreement
    reference_agreement: float | None
    reference_outcome_agreement: float | None
    questions: tuple[QuestionResult, ...]  # most disputed first
    low_alpha: float = 0.667  # the unit's setting: below it, agreement counts as low
    # The vignette versions the round is judged against (pinned when it opened), and the
    # vignettes that have a newer reference since.
    reference_versions: dict[str, int] = field(default_factory=dict)
    newer_references: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The public contract of `mottagning calibration results ROUND --json`."""
        def ci(figures: Agreement) -> list[float] | None:
            return list(figures.alpha_ci) if figures.alpha_ci else None

        return {
            "round": {"id": self.round_id, "title": self.title,
                      "closes_on": self.closes_on.isoformat(), "form_id": self.form_id,
                      "form_version": self.form_version, "participants": self.participants,
                      "answers": self.answers, "vignettes": self.vignettes},
            "outcome_alpha": self.outcome.alpha,
            "outcome_alpha_ci": ci(self.outcome),
            "outcome_agreement": self.outcome.agreement,
            "reference_agreement": self.reference_agreement,
            "reference_outcome_agreement": self.reference_outcome_agreement,
            "reference_versions": dict(self.reference_versions),
            "newer_references": list(self.newer_references),
            "questions": {
                question.id: {
                    "text": question.text,
                    "alpha": question.figures.alpha,
                    "alpha_ci": ci(question.figures),
                    "agreement": question.figures.agreement,
                    "n_raters": question.figures.n_raters,
                    "spread": question.spread,
                    "reference_agreement": question.reference_agreement,
                }
                for question in self.questions
            },
        }


@dataclass(frozen=True)
class _Answers:
    """The finished answers of a round: participant number → vignette id → answer row."""

    numbers: dict[int, int]  # user id → participant number
    rows: dict[int, dict[str, TrainingAnswer]]


def _finished(session: Session, round_id: int) -> _Answers:
    numbers = {p.user_id: p.number for p in session.execute(
        select(CalibrationParticipant).where(CalibrationParticipant.round_id == round_id)).scalars()}
    rows: dict[int, dict[str, TrainingAnswer]] = {}
    for row in session.execute(select(TrainingAnswer).where(
            TrainingAnswer.round_id == round_id, TrainingAnswer.status == TRAINING_FINISHED)).scalars():
        rows.setdefault(numbers[row.user_id], {})[row.vignette_id] = row
    return _Answers(numbers, rows)


def _units(found: _Answers, pinned: list[CalibrationRoundVignette],
           value_of: Callable[[TrainingAnswer], str | None]) -> list[list[str | None]]:
    """One row per vignette, one value per participant (None: not answered or not shown)."""
    raters = sorted(found.rows)
    return [[value_of(found.rows[r][v.vignette_id]) if v.vignette_id in found.rows[r] else None
             for r in raters] for v in pinned]


def _disputed_key(question: QuestionResult) -> tuple[float, float]:
    figures = question.figures
    agree = figures.agreement if figures.agreement is not None else 1.0
    # α is undefined when everybody gave one and the same answer: full agreement.
    alpha = figures.alpha if figures.alpha is not None else (1.0 if agree == 1.0 else agree)
    return alpha, agree


def _share(matches: Iterable[bool]) -> float | None:
    values = list(matches)
    return sum(values) / len(values) if values else None


def _require_group(actor: Actor) -> None:
    actor.require(Action.LEAD_CALIBRATION)


Progress = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The figures were not finished because the user cancelled."""


def round_results(session: Session, actor: Actor, round_id: int, *,
                  stuff: Material | None = None, samples: int | None = None,
                  progress: Progress | None = None,
                  should_cancel: Callable[[], bool] | None = None) -> RoundResults:
    """The group's figures for a round (seniors). `samples=0` skips the intervals.

    The bootstrap takes seconds: `progress(done, total, label)` is told after each
    question, and `should_cancel()` is asked before each (Cancelled is raised)."""
    _require_group(actor)
    found = _results(session, round_id, stuff=stuff or material(),
                     samples=setting(session, "calibration.bootstrap_samples")
                     if samples is None else samples,
                     progress=progress, should_cancel=should_cancel)
    return replace(found, low_alpha=float(setting(session, "calibration.low_alpha")))


def _results(session: Session, round_id: int, *, stuff: Material, samples: int,
             progress: Progress | None = None,
             should_cancel: Callable[[], bool] | None = None) -> RoundResults:
    calibration_round = get_round(session, round_id)
    form = _form(stuff, calibration_round)
    pinned = round_vignettes(session, round_id)
    # A round is judged against the reference in force when it was opened; a reference
    # agreed since (at its review meeting) is shown beside it, never used to rescore it.
    vignettes = {v.vignette_id: vignette_at(session, stuff.vignettes.get(v.vignette_id),
                                            v.vignette_version) for v in pinned}
    newer = tuple(v.vignette_id for v in pinned
                  if newer_vignette(session, stuff.vignettes.get(v.vignette_id),
                                    v.vignette_version) is not None)
    found = _finished(session, round_id)
    raters = sorted(found.rows)
    questions = []
    all_reference_matches: list[bool] = []
    asked = [q for q in form.questions if q.kind == YES_NO_UNKNOWN]
    for done, question in enumerate(asked):
        if should_cancel is not None and should_cancel():
            raise Cancelled
        if progress is not None:
            progress(done, len(asked) + 1, question.text)
        units = _units(found, pinned, lambda row, qid=question.id: row.answers.get(qid))
        matches = []
        for v, values in zip(pinned, units, strict=True):
            reference = vignettes[v.vignette_id].reference
            expected = reference.answers.get(question.id) if reference else None
            if expected is not None:
                matches.extend(value == expected for value in values if value is not None)
        all_reference_matches.extend(matches)
        notes = tuple(
            (pseudonym(r), vignettes[v.vignette_id].title, row.notes[question.id])
            for v in pinned for r in raters
            if (row := found.rows[r].get(v.vignette_id)) is not None and row.notes.get(question.id)
        )
        questions.append(QuestionResult(
            id=question.id, text=question.text,
            figures=agreement(units, ANSWERS, samples=samples),
            spread=spread([value for values in units for value in values]),
            reference_agreement=_share(matches), notes=notes))
    outcome_units = _units(found, pinned, lambda row: row.outcome)
    outcome_matches = [
        value == vignettes[v.vignette_id].reference.outcome
        for v, values in zip(pinned, outcome_units, strict=True)
        if vignettes[v.vignette_id].reference is not None
        for value in values if value is not None
    ]
    return RoundResults(
        round_id=round_id, title=calibration_round.title, closes_on=calibration_round.closes_on,
        opened_at=calibration_round.opened_at, form_id=form.id, form_version=form.version,
        participants=len(raters), answers=sum(len(rows) for rows in found.rows.values()),
        vignettes=len(pinned), outcome=agreement(outcome_units, OUTCOMES, samples=samples),
        reference_agreement=_share(all_reference_matches),
        reference_outcome_agreement=_share(outcome_matches),
        questions=tuple(sorted(questions, key=_disputed_key)),
        reference_versions={v.vignette_id: vignettes[v.vignette_id].version for v in pinned},
        newer_references=newer,
    )


# -- a worker's own answers beside the group's ----------------------------------------


@dataclass(frozen=True)
class OwnRow:
    vignette_id: str
    vignette_title: str
    question_id: str
    question_text: str
    own: str | None
    group: dict[str, int]
    reference: str | None  # the reference in force when the round opened
    newer_reference: str | None = None  # a reference agreed since, where it says otherwise


@dataclass(frozen=True)
class OwnResults:
    pseudonym: str | None
    rows: tuple[OwnRow, ...]


def my_results(session: Session, actor: Actor, round_id: int, *,
               stuff: Material | None = None) -> OwnResults:
    """The worker's own answers beside the group's spread, for the vignettes the worker
    has finished (so nobody sees the group's answers before giving their own)."""
    actor.require(Action.CALIBRATE)
    stuff = stuff or material()
    calibration_round = get_round(session, round_id)
    form = _form(stuff, calibration_round)
    found = _finished(session, round_id)
    number = found.numbers.get(actor.user_id)
    mine = found.rows.get(number, {}) if number is not None else {}
    rows = []
    for pinned in round_vignettes(session, round_id):
        own = mine.get(pinned.vignette_id)
        if own is None:
            continue
        shipped = stuff.vignettes.get(pinned.vignette_id)
        vignette = vignette_at(session, shipped, pinned.vignette_version)
        newer = newer_vignette(session, shipped, pinned.vignette_version)
        group_rows = [rows_of[pinned.vignette_id] for rows_of in found.rows.values()
                      if pinned.vignette_id in rows_of]
        for question in [*form.questions, None]:
            if question is not None and question.kind != YES_NO_UNKNOWN:
                continue
            if question is None:
                qid, text = OUTCOME_KEY, "Utfall"
                own_value = own.outcome
                group = spread([row.outcome for row in group_rows])
                expected = vignette.reference.outcome if vignette.reference else None
                later = newer.reference.outcome if newer and newer.reference else None
            else:
                qid, text = question.id, question.text
                own_value = own.answers.get(qid)
                group = spread([row.answers.get(qid) for row in group_rows])
                expected = vignette.reference.answers.get(qid) if vignette.reference else None
                later = newer.reference.answers.get(qid) if newer and newer.reference else None
            rows.append(OwnRow(pinned.vignette_id, vignette.title, qid, text, own_value, group,
                               expected, later if later != expected else None))
    return OwnResults(pseudonym(number) if number is not None else None, tuple(rows))


# -- the review meeting ----------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """Where the form's rules turned a different answer into a different outcome."""

    question_id: str
    from_answer: str
    to_answer: str
    pseudonym: str
    from_outcome: str
    to_outcome: str
    rules_added: tuple[str, ...]
    rules_removed: tuple[str, ...]


@dataclass(frozen=True)
class ReviewColumn:
    pseudonym: str
    answers: dict[str, str]
    notes: dict[str, str]
    recommended_outcome: str
    outcome: str
    override_reason: str | None
    rules_fired: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    round_id: int
    vignette: Vignette
    form: Form
    individual: bool  # False: the unit's setting shows only the spread
    columns: tuple[ReviewColumn, ...]
    spreads: dict[str, dict[str, int]]
    differing: tuple[str, ...]  # questions with more than one answer
    turns: tuple[Turn, ...]
    # `vignette` is the version the round was judged against; `newer` the newest version
    # when a reference has been agreed since (e.g. at this round's review meeting).
    newer: Vignette | None = None

    @property
    def latest(self) -> Vignette:
        """The vignette's newest version: what a new reference answer builds on."""
        return self.newer or self.vignette


def review(session: Session, actor: Actor, round_id: int, vignette_id: str, *,
           stuff: Material | None = None) -> Review:
    """Every answer to one vignette side by side for the review meeting (seniors)."""
    _require_group(actor)
    stuff = stuff or material()
    form = _form(stuff, get_round(session, round_id))
    pinned = {v.vignette_id: v.vignette_version for v in round_vignettes(session, round_id)}
    if vignette_id not in pinned:
        raise NotFound(f"Vinjetten {vignette_id} ingår inte i omgången.")
    shipped = stuff.vignettes.get(vignette_id)
    vignette = vignette_at(session, shipped, pinned[vignette_id])
    newer = newer_vignette(session, shipped, pinned[vignette_id])
    found = _finished(session, round_id)
    columns = tuple(
        ReviewColumn(pseudonym(number), dict(row.answers), dict(row.notes),
                     row.recommended_outcome or "", row.outcome or "", row.override_reason,
                     tuple(row.rules_fired))
        for number, rows in sorted(found.rows.items())
        if (row := rows.get(vignette_id)) is not None
    )
    ids = [q.id for q in form.questions if q.kind == YES_NO_UNKNOWN]
    spreads = {qid: spread([c.answers.get(qid) for c in columns]) for qid in ids}
    spreads[OUTCOME_KEY] = spread([c.outcome for c in columns])
    differing = tuple(qid for qid in ids if len(spreads[qid]) > 1
                      or (spreads[qid] and sum(spreads[qid].values()) < len(columns)))
    turns = _turns(form, columns, differing)
    individual = bool(setting(session, "calibration.individual_answers"))
    return Review(round_id, vignette, form, individual, columns if individual else (),
                  spreads, differing, turns, newer)


def _turns(form: Form, columns: tuple[ReviewColumn, ...],
           differing: tuple[str, ...]) -> tuple[Turn, ...]:
    """For each worker and each disputed question: would a colleague's answer, all else
    equal, have changed what the form recommended? Then the rules made the difference."""
    found: dict[tuple[str, str, str], Turn] = {}
    for column in columns:
        base = recommend(form, column.answers)
        for qid in differing:
            mine = column.answers.get(qid)
            for other in {c.answers.get(qid) for c in columns} - {mine, None}:
                changed = recommend(form, {**column.answers, qid: other})
                if changed.outcome == base.outcome or mine is None:
                    continue
                key = (qid, mine, other)
                found.setdefault(key, Turn(
                    qid, mine, other, column.pseudonym, base.outcome, changed.outcome,
                    tuple(r for r in changed.rules_fired if r not in base.rules_fired),
                    tuple(r for r in base.rules_fired if r not in changed.rules_fired)))
    order = {qid: position for position, qid in enumerate(differing)}
    return tuple(sorted(found.values(), key=lambda t: (order[t.question_id], t.from_answer)))


# -- over time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundAlpha:
    round_id: int
    title: str
    opened_at: datetime
    outcome_alpha: float | None
    median_question_alpha: float | None
    question_alpha: dict[str, float | None]


def alpha_history(session: Session, actor: Actor, *,
                  stuff: Material | None = None) -> list[RoundAlpha]:
    """α per round, oldest first (no intervals: the chart shows the trend)."""
    _require_group(actor)
    stuff = stuff or material()
    history = []
    for calibration_round in session.execute(
            select(CalibrationRound).order_by(CalibrationRound.opened_at, CalibrationRound.id)).scalars():
        form = _form(stuff, calibration_round)
        found = _finished(session, calibration_round.id)
        if not found.rows:
            continue
        pinned = round_vignettes(session, calibration_round.id)
        per_question = {
            q.id: nominal_alpha(_units(found, pinned, lambda row, qid=q.id: row.answers.get(qid)),
                                ANSWERS)
            for q in form.questions if q.kind == YES_NO_UNKNOWN
        }
        defined = sorted(a for a in per_question.values() if a is not None)
        median = None
        if defined:
            middle = len(defined) // 2
            median = defined[middle] if len(defined) % 2 else (defined[middle - 1] + defined[middle]) / 2
        history.append(RoundAlpha(calibration_round.id, calibration_round.title,
                                  calibration_round.opened_at,
                                  nominal_alpha(_units(found, pinned, lambda row: row.outcome),
                                                OUTCOMES),
                                  median, per_question))
    return history


@dataclass(frozen=True)
class FlaggedQuestion:
    id: str
    text: str
    alphas: tuple[tuple[str, float | None], ...]  # (round title, α) oldest first
    # What the workers wrote on the question, pseudonymous: (round title, pseudonym,
    # vignette title, note), oldest round first.
    notes: tuple[tuple[str, str, str, str], ...] = ()


def form_feedback(session: Session, actor: Actor, *,
                  stuff: Material | None = None) -> list[FlaggedQuestion]:
    """Questions whose α stayed below `calibration.low_alpha` in each of the latest
    `calibration.feedback_min_rounds` rounds where it was defined: for the form's owner."""
    history = alpha_history(session, actor, stuff=stuff)
    low = float(setting(session, "calibration.low_alpha"))
    needed = int(setting(session, "calibration.feedback_min_rounds"))
    if not history:
        return []
    texts = {}
    stuff = stuff or material()
    for entry in history:
        form = _form(stuff, get_round(session, entry.round_id))
        texts.update({q.id: q.text for q in form.questions})
    flagged = []
    for qid in texts:
        series = [(entry.title, entry.question_alpha.get(qid)) for entry in history
                  if qid in entry.question_alpha]
        defined = [alpha for _title, alpha in series if alpha is not None]
        if len(defined) >= needed and all(alpha < low for alpha in defined[-needed:]):
            flagged.append(FlaggedQuestion(qid, texts[qid], tuple(series),
                                           _notes_on(session, history, qid, stuff)))
    return sorted(flagged, key=lambda f: [a for _t, a in f.alphas if a is not None][-1])


def _notes_on(session: Session, history: list[RoundAlpha], question_id: str,
              stuff: Material) -> tuple[tuple[str, str, str, str], ...]:
    """The notes the workers wrote on one question in the rounds of the history."""
    notes = []
    for entry in history:
        found = _finished(session, entry.round_id)
        for pinned in round_vignettes(session, entry.round_id):
            title = stuff.vignettes.get(pinned.vignette_id).title
            for number in sorted(found.rows):
                row = found.rows[number].get(pinned.vignette_id)
                if row is not None and (note := row.notes.get(question_id)):
                    notes.append((entry.title, pseudonym(number), title, note))
    return tuple(notes)
