"""The small condition language of assessment forms.

A condition compares answers with literal answer values and combines the comparisons:

    vald == "ja" and not (hot in ["nej", "vet_ej"]) or skyddande_vuxen != "ja"

`not` binds tighter than `and`, which binds tighter than `or`; parentheses group. Forms are
data edited by administrators, so a condition is parsed by hand into a tree and evaluated
by walking it: nothing in a form file can ever run as code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mottagning.i18n import _

KEYWORDS = frozenset({"and", "or", "not", "in"})

_TOKEN = re.compile(
    r"""(?:
        (?P<string>"[^"]*"|'[^']*')
      | (?P<op>==|!=|[()\[\],])
      | (?P<name>[a-z][a-z0-9_]*)
    )""",
    re.VERBOSE,
)


class ConditionError(ValueError):
    """A condition that cannot be parsed; the message says where and why, in Swedish."""


@dataclass(frozen=True)
class Compare:
    """`question == "v"`, `question != "v"` or `question in ["v", ...]`.

    A comparison with a question that has no answer (unanswered or hidden) is always false,
    also for `!=`, so that a rule never fires on answers the worker has not given.
    """

    question: str
    values: tuple[str, ...]
    negated: bool

    def holds(self, answers: Mapping[str, str]) -> bool:
        answer = answers.get(self.question)
        if answer is None:
            return False
        return (answer in self.values) != self.negated


@dataclass(frozen=True)
class Not:
    operand: Condition

    def holds(self, answers: Mapping[str, str]) -> bool:
        return not self.operand.holds(answers)


@dataclass(frozen=True)
class All:
    operands: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, str]) -> bool:
        return all(operand.holds(answers) for operand in self.operands)


@dataclass(frozen=True)
class Any:
    operands: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, str]) -> bool:
        return any(operand.holds(answers) for operand in self.operands)


Condition = Compare | Not | All | Any


def comparisons(condition: Condition) -> Iterator[Compare]:
    """Every comparison in the condition, left to right."""
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, Not):
        yield from comparisons(condition.operand)
    else:
        for operand in condition.operands:
            yield from comparisons(operand)


def referenced_questions(condition: Condition) -> list[str]:
    """The question ids the condition reads, each once, in order of appearance."""
    return list(dict.fromkeys(compare.question for compare in comparisons(condition)))


def parse_condition(text: str) -> Condition:
    """Parse a condition; raises ConditionError naming the position of the fault."""
    parser = _Parser(_tokenize(text))
    condition = parser.parse_or()
    if parser.peek() is not None:
        raise parser.error(_("oväntat '{token}'").format(token=parser.peek()[1]))
    return condition


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return tokens
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConditionError(
                _("oväntat tecken vid position {column} i villkoret").format(column=position + 1)
            )
        kind = match.lastgroup
        tokens.append((kind, match.group(kind), position + 1))
        position = match.end()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self._tokens = tokens
        self._index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def error(self, message: str) -> ConditionError:
        token = self.peek()
        where = (
            _("vid position {column}").format(column=token[2])
            if token
            else _("i slutet av villkoret")
        )
        return ConditionError(f"{message} {where}")

    def _accept(self, kind: str, value: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and token[1] == value:
            self._index += 1
            return True
        return False

    def _expect(self, kind: str, value: str) -> None:
        if not self._accept(kind, value):
            raise self.error(_("förväntade '{value}'").format(value=value))

    def parse_or(self) -> Condition:
        operands = [self._parse_and()]
        while self._accept("name", "or"):
            operands.append(self._parse_and())
        return operands[0] if len(operands) == 1 else Any(tuple(operands))

    def _parse_and(self) -> Condition:
        operands = [self._parse_not()]
        while self._accept("name", "and"):
            operands.append(self._parse_not())
        return operands[0] if len(operands) == 1 else All(tuple(operands))

    def _parse_not(self) -> Condition:
        if self._accept("name", "not"):
            return Not(self._parse_not())
        if self._accept("op", "("):
            inner = self.parse_or()
            self._expect("op", ")")
            return inner
        return self._parse_compare()

    def _parse_compare(self) -> Compare:
        token = self.peek()
        if token is None or token[0] != "name" or token[1] in KEYWORDS:
            raise self.error(_("förväntade ett fråge-id"))
        self._index += 1
        question = token[1]
        if self._accept("op", "=="):
            return Compare(question, (self._parse_string(),), negated=False)
        if self._accept("op", "!="):
            return Compare(question, (self._parse_string(),), negated=True)
        if self._accept("name", "in"):
            self._expect("op", "[")
            values = [self._parse_string()]
            while self._accept("op", ","):
                values.append(self._parse_string())
            self._expect("op", "]")
            return Compare(question, tuple(values), negated=False)
        raise self.error(_("förväntade '==', '!=' eller 'in' efter '{question}'").format(
            question=question
        ))

    def _parse_string(self) -> str:
        token = self.peek()
        if token is None or token[0] != "string":
            raise self.error(_("förväntade ett svar inom citattecken"))
        self._index += 1
        return token[1][1:-1]
