"""Assessment forms as data: the answer and outcome vocabulary and the frozen form model.

A form file is TOML (see resources/forms/skyddsbedomning-1.toml), read by
`mottagning.assessment.parsing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mottagning.assessment.conditions import Condition
from mottagning.i18n import _

YES = "ja"
NO = "nej"
UNKNOWN = "vet_ej"
ANSWERS = (YES, NO, UNKNOWN)
ANSWER_LABELS = {YES: "Ja", NO: "Nej", UNKNOWN: "Vet ej"}

# Question kinds: a yes/no/unknown answer with a note, or a note alone.
YES_NO_UNKNOWN = "ja_nej_vet_ej"
FREE_TEXT = "fritext"
KINDS = (YES_NO_UNKNOWN, FREE_TEXT)

NOTE_OPTIONAL = "optional"
NOTE_REQUIRED = "required"

# The outcomes are fixed by the application, not by forms, because the rest of the
# application acts on them (an acute item, the förhandsbedömning going on). Ordered from
# least to most protective: a floor or a rule can only raise the outcome.
NO_IMMEDIATE_NEED = "no_immediate_need"
IMMEDIATE_PROTECTION = "immediate_protection"
OUTCOMES = (NO_IMMEDIATE_NEED, IMMEDIATE_PROTECTION)
OUTCOME_LABELS = {
    NO_IMMEDIATE_NEED: "Inget omedelbart skyddsbehov",
    IMMEDIATE_PROTECTION: "Omedelbart skyddsbehov",
}

# In a test case, `floor = "none"` expects that no red flag is raised.
NO_FLOOR = "none"

def outcome_rank(outcome: str) -> int:
    return OUTCOMES.index(outcome)


@dataclass(frozen=True)
class Problem:
    """A fault in a form file: the file, the entry (empty for the file as a whole), why."""

    file: Path
    entry: str
    message: str

    def __str__(self) -> str:
        if self.entry:
            return f"{self.file}: {self.entry}: {self.message}"
        return f"{self.file}: {self.message}"


class FormError(ValueError):
    """A form file that cannot be used; `problems` lists every fault found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Question:
    id: str
    section_id: str
    text: str
    help: str
    kind: str
    note: str
    note_required_when: frozenset[str]
    show_if: Condition | None
    show_if_text: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    help: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class RedFlag:
    """An answer that sets a minimum outcome; "vet ej" on the question sets it too."""

    id: str
    question: str
    answers: frozenset[str]
    floor: str
    text: str


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    when_text: str
    outcome: str
    text: str


@dataclass(frozen=True)
class TestCase:
    """Answers and what the form must recommend for them; None means "not checked"."""

    name: str
    answers: Mapping[str, str]
    outcome: str
    floor: str | None
    rules_fired: tuple[str, ...] | None
    notes_required: tuple[str, ...] | None


@dataclass(frozen=True)
class Form:
    id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    red_flags: tuple[RedFlag, ...]
    rules: tuple[Rule, ...]
    cases: tuple[TestCase, ...]
    path: Path
    sha256: str
    questions: tuple[Question, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        all_questions = tuple(q for section in self.sections for q in section.questions)
        object.__setattr__(self, "questions", all_questions)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if the form has none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def explain(self, fired_id: str) -> str:
        """The Swedish text of a fired rule or red flag, as listed in a recommendation.

        KeyError for an id the form does not have.
        """
        flag_id, _sep, unknown = fired_id.partition(":")
        for flag in self.red_flags:
            if flag.id == flag_id:
                if unknown:
                    return _("Vet ej på frågan ”{question}” räknas som en röd flagga.").format(
                        question=self.question(flag.question).text
                    )
                return flag.text
        for rule in self.rules:
            if rule.id == fired_id:
                return rule.text
        raise KeyError(fired_id)


def fired_unknown_id(flag: RedFlag) -> str:
    """How a red flag raised by a "vet ej" answer is listed among the fired rules."""
    return f"{flag.id}:{UNKNOWN}"
