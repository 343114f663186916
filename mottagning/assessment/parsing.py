"""The strict parser of assessment form files.

It refuses anything it does not understand and reports every fault it finds, each naming
the file and the entry, so that an administrator can fix a form in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mottagning.assessment.conditions import (
    KEYWORDS,
    Condition,
    ConditionError,
    comparisons,
    parse_condition,
)
from mottagning.assessment.form import (
    ANSWERS,
    FREE_TEXT,
    KINDS,
    NO,
    NO_FLOOR,
    NOTE_OPTIONAL,
    NOTE_REQUIRED,
    OUTCOMES,
    UNKNOWN,
    YES,
    YES_NO_UNKNOWN,
    Form,
    FormError,
    Problem,
    Question,
    RedFlag,
    Rule,
    Section,
    TestCase,
)
from mottagning.i18n import _

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_form(data: Mapping[str, Any], *, path: Path, sha256: str) -> Form:
    """Build a Form from a decoded form file; raises FormError listing every fault."""
    parser = _FormParser(path)
    form = parser.form(data, sha256)
    if parser.problems:
        raise FormError(parser.problems)
    return form


class _FormParser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self._ids: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        self._flag_ids: set[str] = set()

    def problem(self, entry: str, message: str) -> None:
        self.problems.append(Problem(self.path, entry, message))

    def _keys(self, entry: str, table: Any, required: set[str], optional: set[str]) -> bool:
        if not isinstance(table, dict):
            self.problem(entry, _("ska vara en tabell"))
            return False
        for key in sorted(set(table) - required - optional):
            self.problem(entry, _("okänd nyckel '{key}'").format(key=key))
        for key in sorted(required - set(table)):
            self.problem(entry, _("nyckeln '{key}' saknas").format(key=key))
        return required <= set(table)

    def _text(self, entry: str, table: dict, key: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(entry, _("'{key}' ska vara en text som inte är tom").format(key=key))
            return ""
        return value

    def _list(self, entry: str, table: dict, key: str) -> list:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.problem(entry, _("'{key}' ska vara en lista").format(key=key))
            return []
        return value

    def _names(self, entry: str, table: dict, key: str) -> tuple[str, ...]:
        values = self._list(entry, table, key)
        if not all(isinstance(value, str) for value in values):
            self.problem(entry, _("'{key}' ska vara en lista med id").format(key=key))
            return ()
        return tuple(values)

    def _new_id(self, entry: str, value: Any) -> str:
        if not isinstance(value, str) or not _ID.match(value) or value in KEYWORDS:
            self.problem(entry, _("ogiltigt id {value!r}: använd a–z, 0–9 och _").format(
                value=value
            ))
            return ""
        if value in self._ids:
            self.problem(entry, _("id '{id}' används redan av {other}").format(
                id=value, other=self._ids[value]
            ))
        else:
            self._ids[value] = entry
        return value

    def _outcome(self, entry: str, value: Any, *, allow_none: bool = False) -> str:
        allowed = OUTCOMES + ((NO_FLOOR,) if allow_none else ())
        if value not in allowed:
            self.problem(entry, _("okänt utfall {value!r}; tillåtna: {allowed}").format(
                value=value, allowed=", ".join(allowed)
            ))
            return ""
        return value

    def _answers(self, entry: str, values: Any, allowed: tuple[str, ...]) -> frozenset[str]:
        if not isinstance(values, list) or not values:
            self.problem(entry, _("svaren ska vara en lista som inte är tom"))
            return frozenset()
        for value in values:
            if value not in allowed:
                self.problem(entry, _("ogiltigt svar {value!r}; tillåtna: {allowed}").format(
                    value=value, allowed=", ".join(allowed)
                ))
        return frozenset(value for value in values if value in allowed)

    def _condition(self, entry: str, text: Any, known: dict[str, str]) -> Condition | None:
        """Parse a condition that may only read the yes/no questions in `known`."""
        if not isinstance(text, str):
            self.problem(entry, _("villkoret ska vara en text"))
            return None
        try:
            condition = parse_condition(text)
        except ConditionError as error:
            self.problem(entry, _("villkoret {text!r} går inte att tolka: {error}").format(
                text=text, error=error
            ))
            return None
        ok = True
        for compare in comparisons(condition):
            kind = known.get(compare.question)
            if kind is None:
                ok = False
                self.problem(entry, _("villkoret hänvisar till '{id}', som inte är en tidigare "
                                      "fråga i formuläret").format(id=compare.question))
            elif kind == FREE_TEXT:
                ok = False
                self.problem(entry, _("villkoret hänvisar till fritextfrågan '{id}', som inte "
                                      "har något ja/nej-svar").format(id=compare.question))
            for value in compare.values:
                if value not in ANSWERS:
                    ok = False
                    self.problem(entry, _("villkoret jämför '{id}' med {value!r}, som aldrig är "
                                          "ett svar; tillåtna: {allowed}").format(
                        id=compare.question, value=value, allowed=", ".join(ANSWERS)
                    ))
        return condition if ok else None

    def form(self, data: Mapping[str, Any], sha256: str) -> Form:
        top = _("formuläret")
        table = dict(data)
        self._keys(top, table, {"id", "version", "title", "sections"},
                   {"red_flags", "rules", "cases"})
        form_id = data.get("id")
        if not isinstance(form_id, str) or not _ID.match(form_id):
            self.problem(top, _("ogiltigt formulär-id {value!r}").format(value=form_id))
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.problem(top, _("'version' ska vara ett heltal från 1"))
        elif isinstance(form_id, str) and self.path.name != f"{form_id}-{version}.toml":
            self.problem(top, _("filen ska heta {name} efter formulärets id och version").format(
                name=f"{form_id}-{version}.toml"
            ))
        title = self._text(top, table, "title")
        sections = tuple(
            section
            for index, raw in enumerate(self._list(top, table, "sections"), start=1)
            if (section := self._section(index, raw)) is not None
        )
        if not sections:
            self.problem(top, _("formuläret har inga avsnitt"))
        red_flags = tuple(
            flag
            for index, raw in enumerate(self._list(top, table, "red_flags"), start=1)
            if (flag := self._red_flag(index, raw)) is not None
        )
        rules = tuple(
            rule
            for index, raw in enumerate(self._list(top, table, "rules"), start=1)
            if (rule := self._rule(index, raw)) is not None
        )
        cases = tuple(
            case
            for index, raw in enumerate(self._list(top, table, "cases"), start=1)
            if (case := self._case(index, raw)) is not None
        )
        return Form(
            id=form_id if isinstance(form_id, str) else "",
            version=version if isinstance(version, int) else 0,
            title=title,
            sections=sections,
            red_flags=red_flags,
            rules=rules,
            cases=cases,
            path=self.path,
            sha256=sha256,
        )

    def _section(self, index: int, raw: Any) -> Section | None:
        entry = _("avsnitt {index}").format(index=index)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            entry = _("avsnitt '{id}'").format(id=raw["id"])
        if not self._keys(entry, raw, {"id", "title", "questions"}, {"help"}):
            return None
        section_id = self._new_id(entry, raw["id"])
        questions = tuple(
            question
            for number, raw_question in enumerate(self._list(entry, raw, "questions"), start=1)
            if (question := self._question(section_id, entry, number, raw_question)) is not None
        )
        if not raw["questions"]:
            self.problem(entry, _("avsnittet har inga frågor"))
        return Section(
            id=section_id,
            title=self._text(entry, raw, "title"),
            help=self._text(entry, raw, "help") if "help" in raw else "",
            questions=questions,
        )

    def _question(self, section_id: str, section_entry: str, number: int, raw: Any
                  ) -> Question | None:
        entry = _("{section}, fråga {number}").format(section=section_entry, number=number)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            entry = _("fråga '{id}'").format(id=raw["id"])
        if not self._keys(entry, raw, {"id", "text", "help"},
                          {"kind", "note", "note_required_when", "show_if"}):
            return None
        question_id = self._new_id(entry, raw["id"])
        kind = raw.get("kind", YES_NO_UNKNOWN)
        if kind not in KINDS:
            self.problem(entry, _("okänd frågetyp {value!r}; tillåtna: {allowed}").format(
                value=kind, allowed=", ".join(KINDS)
            ))
        note = raw.get("note", NOTE_OPTIONAL)
        if note not in (NOTE_OPTIONAL, NOTE_REQUIRED):
            self.problem(entry, _("'note' ska vara \"optional\" eller \"required\""))
        note_required_when = frozenset()
        if "note_required_when" in raw:
            if kind == FREE_TEXT:
                self.problem(entry, _("en fritextfråga har inga svar att kräva anteckning för; "
                                      "använd note = \"required\""))
            note_required_when = self._answers(entry, raw["note_required_when"], ANSWERS)
        show_if = None
        if "show_if" in raw:
            show_if = self._condition(entry, raw["show_if"], self._kinds)
        # Registered after the condition is read, so a question cannot depend on itself or
        # on a later question: visibility is then decided in one pass in form order.
        if question_id:
            self._kinds[question_id] = kind
        return Question(
            id=question_id,
            section_id=section_id,
            text=self._text(entry, raw, "text"),
            help=self._text(entry, raw, "help"),
            kind=kind,
            note=note,
            note_required_when=note_required_when,
            show_if=show_if,
            show_if_text=raw.get("show_if", ""),
        )

    def _red_flag(self, index: int, raw: Any) -> RedFlag | None:
        entry = _("röd flagga {index}").format(index=index)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            entry = _("röd flagga '{id}'").format(id=raw["id"])
        if not self._keys(entry, raw, {"id", "question", "answers", "floor", "text"}, set()):
            return None
        flag_id = self._new_id(entry, raw["id"])
        self._flag_ids.add(flag_id)
        question = raw["question"] if isinstance(raw["question"], str) else ""
        if self._kinds.get(question) != YES_NO_UNKNOWN:
            self.problem(entry, _("'{id}' är ingen ja/nej-fråga i formuläret").format(
                id=question
            ))
        # "vet ej" is left out on purpose: it always raises the floor of a red-flag question.
        answers = self._answers(entry, raw["answers"], (YES, NO))
        floor = self._outcome(entry, raw["floor"])
        if floor == OUTCOMES[0]:
            self.problem(entry, _("en röd flagga måste höja lägsta nivån över {outcome}").format(
                outcome=OUTCOMES[0]
            ))
        return RedFlag(flag_id, question, answers, floor, self._text(entry, raw, "text"))

    def _rule(self, index: int, raw: Any) -> Rule | None:
        entry = _("regel {index}").format(index=index)
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            entry = _("regel '{id}'").format(id=raw["id"])
        if not self._keys(entry, raw, {"id", "when", "outcome", "text"}, set()):
            return None
        rule_id = self._new_id(entry, raw["id"])
        when = self._condition(entry, raw["when"], self._kinds)
        outcome = self._outcome(entry, raw["outcome"])
        text = self._text(entry, raw, "text")
        if when is None:
            return None
        return Rule(rule_id, when, raw["when"], outcome, text)

    def _case(self, index: int, raw: Any) -> TestCase | None:
        entry = _("testfall {index}").format(index=index)
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            entry = _("testfall '{name}'").format(name=raw["name"])
        if not self._keys(entry, raw, {"name", "answers", "outcome"},
                          {"floor", "rules_fired", "notes_required"}):
            return None
        answers = raw["answers"]
        if not isinstance(answers, dict):
            self.problem(entry, _("'answers' ska vara en tabell fråga = svar"))
            answers = {}
        for question_id, value in answers.items():
            if self._kinds.get(question_id) != YES_NO_UNKNOWN:
                self.problem(entry, _("'{id}' är ingen ja/nej-fråga i formuläret").format(
                    id=question_id
                ))
            elif value not in ANSWERS:
                self.problem(entry, _("ogiltigt svar {value!r} på '{id}'").format(
                    value=value, id=question_id
                ))
        floor = raw.get("floor")
        if floor is not None:
            floor = self._outcome(entry, floor, allow_none=True)
        fired = raw.get("rules_fired")
        if fired is not None:
            fired = self._names(entry, raw, "rules_fired")
            for fired_id in fired:
                flag_id, _sep, unknown = fired_id.partition(":")
                known = flag_id in self._flag_ids if unknown == UNKNOWN else fired_id in self._ids
                if not known:
                    self.problem(entry, _("okänd regel {value!r} i rules_fired").format(
                        value=fired_id
                    ))
        notes = raw.get("notes_required")
        if notes is not None:
            notes = self._names(entry, raw, "notes_required")
            for question_id in notes:
                if question_id not in self._kinds:
                    self.problem(entry, _("okänd fråga {value!r} i notes_required").format(
                        value=question_id
                    ))
        return TestCase(
            name=self._text(entry, raw, "name"),
            answers=dict(answers),
            outcome=self._outcome(entry, raw["outcome"]),
            floor=floor,
            rules_fired=fired,
            notes_required=notes,
        )
