"""What a form does with answers: which questions are shown and what it recommends.

Answers map question ids to "ja", "nej" or "vet_ej". An answer to a question that is not
shown does not count: a worker who changes an earlier answer may leave answers behind on
questions that disappeared, and those must neither fire rules nor demand notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mottagning.assessment.form import (
    ANSWERS,
    FREE_TEXT,
    NOTE_REQUIRED,
    OUTCOMES,
    UNKNOWN,
    YES_NO_UNKNOWN,
    Form,
    Question,
    fired_unknown_id,
    outcome_rank,
)
from mottagning.i18n import _


class AnswerError(ValueError):
    """Answers that do not fit the form (unknown question, value not allowed)."""


@dataclass(frozen=True)
class Recommendation:
    """The form's recommendation; `floor` is the minimum set by red flags, or None.

    `rules_fired` lists red flags and rules in form order; a red flag raised by "vet ej"
    is listed as "<flag id>:vet_ej". `notes_required` lists the shown questions whose
    answer needs a note.
    """

    outcome: str
    floor: str | None
    rules_fired: list[str]
    notes_required: list[str]


@dataclass(frozen=True)
class Gap:
    """Something that must be done before an assessment can be finished."""

    question_id: str
    message: str


def check_answers(form: Form, answers: Mapping[str, str]) -> None:
    """Raise AnswerError naming the first answer that does not fit the form."""
    kinds = {question.id: question.kind for question in form.questions}
    for question_id, value in answers.items():
        kind = kinds.get(question_id)
        if kind is None:
            raise AnswerError(_("Formuläret {form} har ingen fråga '{id}'.").format(
                form=form.id, id=question_id
            ))
        if kind == FREE_TEXT:
            raise AnswerError(_("Frågan '{id}' besvaras med en anteckning, inte med ja, nej "
                                "eller vet ej.").format(id=question_id))
        if value not in ANSWERS:
            raise AnswerError(_("Ogiltigt svar {value!r} på frågan '{id}'; tillåtna svar: "
                                "{allowed}.").format(
                value=value, id=question_id, allowed=", ".join(ANSWERS)
            ))


def _shown(form: Form, answers: Mapping[str, str]) -> tuple[list[Question], dict[str, str]]:
    """The shown questions and the answers that count.

    Conditions read only earlier questions (the parser enforces it), so one pass in form
    order decides every question.
    """
    shown: list[Question] = []
    counted: dict[str, str] = {}
    for question in form.questions:
        if question.show_if is None or question.show_if.holds(counted):
            shown.append(question)
            if question.kind == YES_NO_UNKNOWN and question.id in answers:
                counted[question.id] = answers[question.id]
    return shown, counted


def visible_questions(form: Form, answers: Mapping[str, str]) -> list[Question]:
    """The questions shown for these answers, in form order."""
    return _shown(form, answers)[0]


def counted_answers(form: Form, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers that count: those to shown yes/no questions."""
    return _shown(form, answers)[1]


def recommend(form: Form, answers: Mapping[str, str]) -> Recommendation:
    """The outcome the form recommends for these answers and why.

    The outcome is the most protective of the lowest outcome, the red-flag floor and the
    outcomes of the rules that fired. Raises AnswerError for answers that do not fit.
    """
    check_answers(form, answers)
    shown, counted = _shown(form, answers)
    fired: list[str] = []
    floor: str | None = None
    unknown_on_flag: set[str] = set()
    for flag in form.red_flags:
        answer = counted.get(flag.question)
        if answer in flag.answers:
            fired.append(flag.id)
        elif answer == UNKNOWN:
            fired.append(fired_unknown_id(flag))
            unknown_on_flag.add(flag.question)
        else:
            continue
        if floor is None or outcome_rank(flag.floor) > outcome_rank(floor):
            floor = flag.floor
    outcome = floor or OUTCOMES[0]
    for rule in form.rules:
        if rule.when.holds(counted):
            fired.append(rule.id)
            outcome = max(outcome, rule.outcome, key=outcome_rank)
    notes_required = [
        question.id
        for question in shown
        if question.note == NOTE_REQUIRED
        or counted.get(question.id) in question.note_required_when
        or question.id in unknown_on_flag
    ]
    return Recommendation(outcome, floor, fired, notes_required)


def gaps(form: Form, answers: Mapping[str, str], notes: Mapping[str, str]) -> list[Gap]:
    """What is left before the assessment can be finished: unanswered shown questions
    and missing required notes, in form order."""
    shown, counted = _shown(form, answers)
    required = set(recommend(form, answers).notes_required)
    found = []
    for question in shown:
        if question.kind == YES_NO_UNKNOWN and question.id not in counted:
            found.append(Gap(question.id, _("Frågan är inte besvarad.")))
        if question.id in required and not notes.get(question.id, "").strip():
            found.append(Gap(question.id, _("En anteckning krävs för det här svaret.")))
    return found
