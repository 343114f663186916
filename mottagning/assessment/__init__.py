"""The guided skyddsbedömning: assessment forms as versioned data and what they recommend.

Qt-free and database-free: forms are read from resources/forms, answers come in as a
mapping of question id to "ja", "nej" or "vet_ej".
"""

from mottagning.assessment.conditions import ConditionError, parse_condition
from mottagning.assessment.engine import (
    AnswerError,
    Gap,
    Recommendation,
    check_answers,
    gaps,
    recommend,
    visible_questions,
)
from mottagning.assessment.form import (
    ANSWER_LABELS,
    ANSWERS,
    IMMEDIATE_PROTECTION,
    NO,
    NO_IMMEDIATE_NEED,
    OUTCOME_LABELS,
    OUTCOMES,
    UNKNOWN,
    YES,
    Form,
    FormError,
    Problem,
    Question,
    RedFlag,
    Rule,
    Section,
    TestCase,
)
from mottagning.assessment.registry import (
    FormSet,
    FormUnavailable,
    check_forms,
    form_sha256,
    load_form,
    load_forms,
    release_form,
)

__all__ = [
    "ANSWERS",
    "ANSWER_LABELS",
    "AnswerError",
    "ConditionError",
    "Form",
    "FormError",
    "FormSet",
    "FormUnavailable",
    "Gap",
    "IMMEDIATE_PROTECTION",
    "NO",
    "NO_IMMEDIATE_NEED",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "Problem",
    "Question",
    "Recommendation",
    "RedFlag",
    "Rule",
    "Section",
    "TestCase",
    "UNKNOWN",
    "YES",
    "check_answers",
    "check_forms",
    "form_sha256",
    "gaps",
    "load_form",
    "load_forms",
    "parse_condition",
    "recommend",
    "release_form",
    "visible_questions",
]
