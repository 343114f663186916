"""Code lists of the domain, loaded from resources/codes.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from mottagning.paths import resource


@dataclass(frozen=True)
class Code:
    code: str
    label: str


@dataclass(frozen=True)
class CodeLists:
    reporter_categories: dict[str, Code]
    mandatory_reporters: frozenset[str]
    concern_categories: dict[str, Code]
    violence_concerns: frozenset[str]
    channels: dict[str, Code]
    # skyddsbedömning question id → the violence concern a "ja" to it shows
    violence_questions: dict[str, str]


@cache
def codes() -> CodeLists:
    """The code lists; an unknown key or a missing list is an error naming the file."""
    path = resource("codes.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    expected = {"reporter_categories", "concern_categories", "channels"}
    unknown = set(data) - expected
    if unknown or expected - set(data):
        raise ValueError(f"{path}: oväntade eller saknade avsnitt: {sorted(unknown ^ (expected - set(data)))}")

    def load(section: str) -> dict[str, Code]:
        return {e["code"]: Code(e["code"], e["label"]) for e in data[section]}

    return CodeLists(
        reporter_categories=load("reporter_categories"),
        mandatory_reporters=frozenset(
            e["code"] for e in data["reporter_categories"] if e.get("mandatory", False)
        ),
        concern_categories=load("concern_categories"),
        violence_concerns=frozenset(
            e["code"] for e in data["concern_categories"] if e.get("violence", False)
        ),
        channels=load("channels"),
        violence_questions={
            question: e["code"]
            for e in data["concern_categories"] if e.get("violence", False)
            for question in e.get("assessment_questions", ())
        },
    )


def reporter_label(code: str) -> str:
    entry = codes().reporter_categories.get(code)
    return entry.label if entry else code


def concern_label(code: str) -> str:
    entry = codes().concern_categories.get(code)
    return entry.label if entry else code


def channel_label(code: str) -> str:
    entry = codes().channels.get(code)
    return entry.label if entry else code
