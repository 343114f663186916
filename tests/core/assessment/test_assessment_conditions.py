"""The condition language of assessment forms: parsing, precedence, never code."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mottagning.assessment.conditions import (
    ConditionError,
    parse_condition,
    referenced_questions,
)


def holds(text: str, **answers: str) -> bool:
    return parse_condition(text).holds(answers)


def test_equality_compares_an_answer_with_a_value() -> None:
    assert holds('vald == "ja"', vald="ja")
    assert not holds('vald == "ja"', vald="nej")


def test_inequality_and_membership() -> None:
    assert holds('vald != "ja"', vald="vet_ej")
    assert holds("vald in ['ja', 'vet_ej']", vald="vet_ej")
    assert not holds('vald in ["ja", "vet_ej"]', vald="nej")


def test_comparison_with_an_unanswered_question_is_false_even_for_inequality() -> None:
    assert not holds('vald == "ja"')
    assert not holds('vald != "ja"')
    assert holds('not vald == "ja"')


def test_and_binds_tighter_than_or() -> None:
    text = 'a == "ja" or b == "ja" and c == "ja"'
    assert holds(text, a="ja", b="nej", c="nej")
    assert not holds(text, a="nej", b="ja", c="nej")


def test_parentheses_group_and_not_negates() -> None:
    text = '(a == "ja" or b == "ja") and not c == "ja"'
    assert holds(text, a="ja", c="nej")
    assert not holds(text, a="ja", c="ja")


def test_referenced_questions_lists_each_question_once_in_order() -> None:
    condition = parse_condition('b == "ja" or (a == "nej" and b != "nej")')
    assert referenced_questions(condition) == ["b", "a"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('vald = "ja"', "position 6"),
        ('vald == "ja" and', "i slutet av villkoret"),
        ('(vald == "ja"', "förväntade ')'"),
        ("vald == ja", "förväntade ett svar inom citattecken"),
        ('and == "ja"', "förväntade ett fråge-id"),
        ('vald == "ja" hot == "ja"', "oväntat 'hot'"),
        ("", "förväntade ett fråge-id"),
        ('Vald == "ja"', "oväntat tecken vid position 1"),
    ],
)
def test_a_malformed_condition_is_refused_with_the_position(text: str, fragment: str) -> None:
    with pytest.raises(ConditionError, match=re.escape(fragment)):
        parse_condition(text)


def test_python_code_in_a_condition_is_refused_not_run() -> None:
    with pytest.raises(ConditionError):
        parse_condition("__import__('os').system('echo pwned')")


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_condition_error(text: str) -> None:
    try:
        parse_condition(text)
    except ConditionError:
        pass
