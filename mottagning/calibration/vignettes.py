"""Vignettes as data: short synthetic reports for calibration rounds (resources/vignettes).

Each file is one vignette written for one released form version, with an optional
reference answer agreed by the unit's seniors and a note on why. `mottagning forms check`
validates them against their form like the form's own test cases. A reference agreed at a
review meeting is stored in the database as a new version of the vignette (see
`mottagning.calibration.references`); the file stays version 1.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mottagning.assessment import (
    OUTCOMES,
    AnswerError,
    FormSet,
    FormUnavailable,
    Problem,
    check_answers,
    recommend,
    visible_questions,
)
from mottagning.assessment.form import outcome_rank
from mottagning.i18n import _
from mottagning.paths import resource

KINDS = {
    "red_flag": "Röd flagga",
    "borderline": "Gränsfall",
    "no_immediate_need": "Inget omedelbart skyddsbehov",
}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = {"id", "version", "form_id", "form_version", "title", "kind", "child_age",
             "reporter", "received", "text", "history", "family"}
_OPTIONAL = {"reference"}


@dataclass(frozen=True)
class Reference:
    """The seniors' reference answer: per question (may be partial) and the outcome."""

    answers: Mapping[str, str]
    outcome: str
    why: str


@dataclass(frozen=True)
class Vignette:
    id: str
    version: int
    form_id: str
    form_version: int
    title: str
    kind: str
    child_age: int
    reporter: str
    received: str
    text: str
    history: str
    family: str
    reference: Reference | None = None
    path: Path | None = field(default=None, compare=False)


def vignettes_directory() -> Path:
    return resource("vignettes")


def _parse(path: Path, data: Mapping[str, Any]) -> tuple[Vignette | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(message: str, entry: str = "") -> None:
        problems.append(Problem(path, entry, message))

    for key in sorted(set(data) - _REQUIRED - _OPTIONAL):
        problem(_("okänd nyckel '{key}'").format(key=key))
    for key in sorted(_REQUIRED - set(data)):
        problem(_("nyckeln '{key}' saknas").format(key=key))
    if problems:
        return None, problems
    if not isinstance(data["id"], str) or not _ID.match(data["id"]):
        problem(_("ogiltigt id {value!r}: använd a–z, 0–9 och _").format(value=data["id"]))
    elif path.stem != data["id"]:
        problem(_("filen ska heta {name} efter vignettens id").format(name=f"{data['id']}.toml"))
    for key in ("version", "form_version", "child_age"):
        value = data[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < (0 if key == "child_age" else 1):
            problem(_("'{key}' ska vara ett heltal").format(key=key))
    if isinstance(data["child_age"], int) and not 0 <= data["child_age"] <= 17:
        problem(_("'child_age' ska vara 0–17 år"))
    for key in ("form_id", "title", "reporter", "received", "text", "history", "family"):
        if not isinstance(data[key], str) or not data[key].strip():
            problem(_("'{key}' ska vara en text som inte är tom").format(key=key))
    if data["kind"] not in KINDS:
        problem(_("okänd sort {value!r}; tillåtna: {allowed}").format(
            value=data["kind"], allowed=", ".join(KINDS)))
    reference = None
    raw = data.get("reference")
    if raw is not None:
        entry = _("referenssvar")
        if not isinstance(raw, dict) or set(raw) - {"answers", "outcome", "why"} \
                or not {"outcome", "why"} <= set(raw):
            problem(_("ska ha nycklarna outcome och why, och kan ha answers"), entry)
        elif raw["outcome"] not in OUTCOMES:
            problem(_("okänt utfall {value!r}; tillåtna: {allowed}").format(
                value=raw["outcome"], allowed=", ".join(OUTCOMES)), entry)
        elif not isinstance(raw["why"], str) or not raw["why"].strip():
            problem(_("'why' ska förklara referenssvaret"), entry)
        elif not isinstance(raw.get("answers", {}), dict):
            problem(_("'answers' ska vara en tabell fråga = svar"), entry)
        else:
            reference = Reference(dict(raw.get("answers", {})), raw["outcome"], raw["why"])
    if problems:
        return None, problems
    return Vignette(
        id=data["id"], version=data["version"], form_id=data["form_id"],
        form_version=data["form_version"], title=data["title"], kind=data["kind"],
        child_age=data["child_age"], reporter=data["reporter"], received=data["received"],
        text=data["text"], history=data["history"], family=data["family"],
        reference=reference, path=path,
    ), []


def reference_problems(forms: FormSet, vignette: Vignette, reference: Reference,
                       *, path: Path | None = None) -> list[Problem]:
    """What is wrong with a reference answer against the vignette's form version."""
    where = path or vignette.path or Path(vignette.id)
    entry = _("referenssvar")
    try:
        form = forms.version(vignette.form_id, vignette.form_version)
    except FormUnavailable as error:
        return [Problem(where, "", str(error))]
    try:
        check_answers(form, reference.answers)
    except AnswerError as error:
        return [Problem(where, entry, str(error))]
    shown = {question.id for question in visible_questions(form, reference.answers)}
    hidden = sorted(set(reference.answers) - shown)
    if hidden:
        return [Problem(where, entry, _("svar på frågor som inte visas: {ids}").format(
            ids=", ".join(hidden)))]
    result = recommend(form, reference.answers)
    if result.floor and outcome_rank(reference.outcome) < outcome_rank(result.floor):
        return [Problem(where, entry, _(
            "utfallet ligger under den lägsta nivån som de röda flaggorna sätter ({fired})"
        ).format(fired=", ".join(result.rules_fired)))]
    return []


@dataclass(frozen=True)
class VignetteSet:
    vignettes: Mapping[str, Vignette]
    problems: tuple[Problem, ...]

    def get(self, vignette_id: str) -> Vignette:
        """KeyError for a vignette that is not shipped or not valid."""
        return self.vignettes[vignette_id]


def load_vignettes(forms: FormSet, directory: Path | None = None) -> VignetteSet:
    """Every valid vignette in the directory (default resources/vignettes), checked
    against the released forms. Never raises for a bad file: see `problems`."""
    directory = directory or vignettes_directory()
    problems: list[Problem] = []
    found: dict[str, Vignette] = {}
    if not directory.is_dir():
        return VignetteSet({}, (Problem(directory, "", _("katalogen med vinjetter finns inte")),))
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            problems.append(Problem(path, "", _("filen kan inte läsas: {error}").format(
                error=error)))
            continue
        vignette, faults = _parse(path, data)
        if vignette is None:
            problems.extend(faults)
            continue
        try:
            forms.version(vignette.form_id, vignette.form_version)
        except FormUnavailable as error:
            problems.append(Problem(path, "", str(error)))
            continue
        if vignette.reference is not None:
            faults = reference_problems(forms, vignette, vignette.reference)
            if faults:
                problems.extend(faults)
                continue
        found[vignette.id] = vignette
    return VignetteSet(found, tuple(problems))
