"""Checks of a parsed form that need the engine: dead questions and rules, shipped cases."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from mottagning.assessment.conditions import Condition, referenced_questions
from mottagning.assessment.engine import counted_answers, recommend, visible_questions
from mottagning.assessment.form import (
    ANSWERS,
    NO_FLOOR,
    OUTCOME_LABELS,
    Form,
    Problem,
)
from mottagning.i18n import _

# Dead entries are found by trying every combination of answers (ja, nej, vet ej, none) to
# the questions an entry depends on: exact, and cheap up to this many questions (4**7
# combinations). Conditions that read more questions are not searched, since an
# exhaustive search would slow down every start of the application.
_MAX_SEARCHED_QUESTIONS = 7


def form_problems(form: Form) -> list[Problem]:
    """Questions that can never be shown, rules that can never fire, failing test cases."""
    return [*_dead_entries(form), *_failing_cases(form)]


def _dependencies(form: Form, condition: Condition) -> list[str]:
    """The questions a condition depends on, with the questions their visibility reads."""
    pending = referenced_questions(condition)
    found: list[str] = []
    while pending:
        question_id = pending.pop()
        if question_id in found:
            continue
        found.append(question_id)
        show_if = form.question(question_id).show_if
        if show_if is not None:
            pending.extend(referenced_questions(show_if))
    return found


def _answer_combinations(form: Form, condition: Condition) -> Iterator[dict[str, str]] | None:
    questions = _dependencies(form, condition)
    if len(questions) > _MAX_SEARCHED_QUESTIONS:
        return None
    return (
        {q: value for q, value in zip(questions, values, strict=True) if value is not None}
        for values in itertools.product((*ANSWERS, None), repeat=len(questions))
    )


def _dead_entries(form: Form) -> Iterator[Problem]:
    for question in form.questions:
        if question.show_if is None:
            continue
        combinations = _answer_combinations(form, question.show_if)
        if combinations is not None and not any(
            question.id in {q.id for q in visible_questions(form, answers)}
            for answers in combinations
        ):
            yield Problem(form.path, _("fråga '{id}'").format(id=question.id),
                          _("villkoret {text!r} kan aldrig uppfyllas, så frågan visas "
                            "aldrig").format(text=question.show_if_text))
    for rule in form.rules:
        combinations = _answer_combinations(form, rule.when)
        if combinations is not None and not any(
            rule.when.holds(counted_answers(form, answers)) for answers in combinations
        ):
            yield Problem(form.path, _("regel '{id}'").format(id=rule.id),
                          _("villkoret {text!r} kan aldrig uppfyllas, så regeln slår aldrig "
                            "till").format(text=rule.when_text))


def _label(outcome: str | None) -> str:
    return OUTCOME_LABELS[outcome] if outcome else _("ingen")


def _failing_cases(form: Form) -> Iterator[Problem]:
    for case in form.cases:
        entry = _("testfall '{name}'").format(name=case.name)
        got = recommend(form, case.answers)
        if got.outcome != case.outcome:
            yield Problem(form.path, entry, _("rekommendationen blev {got}, förväntat "
                                              "{expected}").format(
                got=_label(got.outcome), expected=_label(case.outcome)
            ))
        expected_floor = None if case.floor == NO_FLOOR else case.floor
        if case.floor is not None and got.floor != expected_floor:
            yield Problem(form.path, entry, _("lägsta nivån blev {got}, förväntat "
                                              "{expected}").format(
                got=_label(got.floor), expected=_label(expected_floor)
            ))
        if case.rules_fired is not None and sorted(got.rules_fired) != sorted(case.rules_fired):
            yield Problem(form.path, entry, _("reglerna som slog till var [{got}], förväntat "
                                              "[{expected}]").format(
                got=", ".join(got.rules_fired), expected=", ".join(case.rules_fired)
            ))
        if case.notes_required is not None and (
            sorted(got.notes_required) != sorted(case.notes_required)
        ):
            yield Problem(form.path, entry, _("anteckning krävdes för [{got}], förväntat "
                                              "[{expected}]").format(
                got=", ".join(got.notes_required), expected=", ".join(case.notes_required)
            ))
