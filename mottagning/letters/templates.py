"""Letter templates as data: loading, validation and filling.

A template is a TOML file in resources/letters/<kind>.toml. Its placeholders and
conditions come from a fixed vocabulary per kind, so an administrator's typo is refused
on load instead of printing a gap in a letter. Placeholders are substituted by walking
`string.Formatter().parse`, never by evaluating anything.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Formatter

from mottagning.letters.model import LetterError, LetterKind
from mottagning.paths import resource

# Placeholder -> what it holds, in the words the missing-data message uses.
COMMON_PLACEHOLDERS: dict[str, str] = {
    "mottagarens_namn": "mottagarens namn",
    "barnets_namn": "barnets namn",
    "barnets_personnummer": "barnets personnummer",
    "referens": "ärendets referens",
    "datum": "brevets datum",
    "kommun": "kommunens namn",
    "enhet": "enhetens namn",
    "telefon": "enhetens telefonnummer",
    "telefontider": "enhetens telefontider",
    "epost": "enhetens e-postadress",
    "handlaggare": "handläggarens namn",
    "titel": "handläggarens titel",
}

KIND_PLACEHOLDERS: dict[LetterKind, dict[str, str]] = {
    LetterKind.KALLELSE: {
        "veckodag": "mötets veckodag",
        "motesdatum": "mötets datum",
        "klockslag": "mötets klockslag",
        "motesplats": "mötets plats",
        "traffar": "vem mottagaren träffar",
        "ombokning": "hur man bokar om tiden",
        "tolksprak": "tolkens språk",
        "anmalare": "anmälarens organisation",
    },
    LetterKind.UNDERRATTELSE: {
        "anmalan_inkom": "datum då anmälan kom in",
        "mottagande_kommun": "kommunen som anmälan skickats vidare till",
        "anmalare": "anmälarens organisation",
    },
    LetterKind.ATERKOPPLING: {
        "anmalan_inkom": "datum då anmälan kom in",
    },
    LetterKind.BEKRAFTELSE: {
        "anmalan_inkom": "datum då anmälan kom in",
    },
}

# Condition -> when it holds; the engine computes them, a template only names them.
KIND_CONDITIONS: dict[LetterKind, dict[str, str]] = {
    LetterKind.KALLELSE: {
        "till_vardnadshavare": "brevet går till en vårdnadshavare",
        "till_barnet": "brevet går till barnet självt",
        "tolk": "tolk erbjuds (ett språk är angivet)",
        "anmalare_kan_namnas": "anmälaren är anmälningsskyldig och får namnges",
    },
    LetterKind.UNDERRATTELSE: {
        "inleda_utredning": "beslutet är att inleda utredning",
        "inte_inleda_utredning": "beslutet är att inte inleda utredning",
        "tillfors_pagaende_utredning": "anmälan tillförs en pågående utredning",
        "vidarebefordras": "anmälan skickas vidare till en annan kommun",
        "oppet_stod": "öppet stöd utan behovsprövning erbjuds",
        "anmalare_kan_namnas": "anmälaren är anmälningsskyldig och får namnges",
    },
    LetterKind.ATERKOPPLING: {
        "utredning_inleds": "en utredning har inletts",
        "utredning_inleds_inte": "ingen utredning har inletts",
        "pagaende_utredning": "en utredning pågick redan",
    },
    LetterKind.BEKRAFTELSE: {
        "aterkoppling_begard": "anmälaren är anmälningsskyldig och har begärt återkoppling",
        "kan_begara_aterkoppling": "anmälaren är anmälningsskyldig men har inte begärt återkoppling",
        "privatperson": "anmälaren är inte anmälningsskyldig",
    },
}

_TOP_KEYS = {"version", "kind", "title", "subject", "paragraphs", "closing", "signature"}
_PARAGRAPH_KEYS = {"text", "facts", "heading", "when"}
_SUBJECT_KEYS = {"text", "when"}


class TemplateError(LetterError):
    """A template file that breaks the rules; the message names the file and the entry."""


@dataclass(frozen=True)
class Paragraph:
    """Body text, or `facts` (label, value) rows such as Tid/Plats, shown only `when`."""

    text: str | None = None
    facts: tuple[tuple[str, str], ...] = ()
    heading: str | None = None
    when: str | None = None


@dataclass(frozen=True)
class SubjectLine:
    text: str
    when: str | None = None


@dataclass(frozen=True)
class LetterTemplate:
    kind: LetterKind
    version: int
    title: str
    subjects: tuple[SubjectLine, ...]
    paragraphs: tuple[Paragraph, ...]
    closing: str
    signature: tuple[str, ...]


@dataclass(frozen=True)
class FilledLetter:
    """The template's text with every placeholder replaced, ready for layout."""

    title: str
    subject: str
    paragraphs: tuple[Paragraph, ...]
    closing: str
    signature: tuple[str, ...]

    def all_text(self) -> str:
        """Every word the letter body will print, for the secrecy scan."""
        parts = [self.title, self.subject, self.closing, *self.signature]
        for paragraph in self.paragraphs:
            parts += [paragraph.heading or "", paragraph.text or ""]
            parts += [cell for row in paragraph.facts for cell in row]
        return "\n".join(parts)


def placeholders(text: str) -> list[str]:
    """The placeholder names in `text`; a malformed or formatted field is a TemplateError."""
    names = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as error:
        raise TemplateError(f"felaktiga klammerparenteser i texten ”{text}” ({error})") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise TemplateError(f"otillåten platshållare {{{name}}} i texten ”{text}”")
        names.append(name)
    return names


def substitute(text: str, values: dict[str, str]) -> str:
    """`text` with each placeholder replaced by its value (all must be present)."""
    return "".join(
        literal + (values[name] if name is not None else "")
        for literal, name, _spec, _conversion in Formatter().parse(text)
    )


def load_template(kind: LetterKind | str) -> LetterTemplate:
    """The shipped template for `kind`, validated."""
    kind = LetterKind(kind)
    path = resource("letters", f"{kind.value}.toml")
    stat = path.stat()
    template = _load_file(path, stat.st_mtime_ns, stat.st_size)
    if template.kind is not kind:
        raise TemplateError(f"{path}: mallen är av typen ”{template.kind}”, väntade ”{kind}”")
    return template


# Keyed on the file's modification time and size, so an edited template is read again.
@lru_cache(maxsize=16)
def _load_file(path: Path, _mtime_ns: int, _size: int) -> LetterTemplate:
    return validate_template(path.read_text(encoding="utf-8"), source=path)


def validate_template(text: str, *, source: str | Path = "mallen") -> LetterTemplate:
    """Parse and check a template; every error names `source` and the offending entry."""
    try:
        data = tomllib.loads(text)
        return _build(data)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{source}: mallen är inte giltig TOML: {error}") from None
    except TemplateError as error:
        raise TemplateError(f"{source}: {error}") from None


def _build(data: dict) -> LetterTemplate:
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise TemplateError(f"okända nycklar: {', '.join(sorted(unknown))}")
    missing = _TOP_KEYS - set(data) - {"signature"}
    if missing:
        raise TemplateError(f"nycklar saknas: {', '.join(sorted(missing))}")
    try:
        kind = LetterKind(data["kind"])
    except ValueError:
        raise TemplateError(f"okänd brevtyp ”{data['kind']}”") from None
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateError("version måste vara ett heltal från 1 och uppåt")
    allowed = COMMON_PLACEHOLDERS | KIND_PLACEHOLDERS[kind]
    conditions = KIND_CONDITIONS[kind]

    def check_text(value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise TemplateError(f"{where} måste vara en text som inte är tom")
        try:
            names = placeholders(value)
        except TemplateError as error:
            raise TemplateError(f"{where}: {error}") from None
        for name in names:
            if name not in allowed:
                raise TemplateError(
                    f"okänd platshållare {{{name}}} i {where}. "
                    f"Tillåtna: {', '.join('{' + n + '}' for n in sorted(allowed))}"
                )
        return value

    def check_when(value: object, where: str) -> str | None:
        if value is None:
            return None
        if value not in conditions:
            raise TemplateError(
                f"okänt villkor ”{value}” i {where}. Tillåtna: {', '.join(sorted(conditions))}"
            )
        return value

    raw_subject = data["subject"]
    if isinstance(raw_subject, str):
        subjects = (SubjectLine(check_text(raw_subject, "subject")),)
    elif isinstance(raw_subject, list) and raw_subject:
        subjects = tuple(_subject(entry, n, check_text, check_when) for n, entry in enumerate(raw_subject, 1))
    else:
        raise TemplateError("subject måste vara en text eller en lista av varianter")

    raw_paragraphs = data["paragraphs"]
    if not isinstance(raw_paragraphs, list) or not raw_paragraphs:
        raise TemplateError("paragraphs måste vara en lista med minst ett stycke")
    paragraphs = tuple(
        _paragraph(entry, n, check_text, check_when) for n, entry in enumerate(raw_paragraphs, 1)
    )
    signature = data.get("signature", [])
    if not isinstance(signature, list):
        raise TemplateError("signature måste vara en lista av rader")
    return LetterTemplate(
        kind=kind,
        version=version,
        title=check_text(data["title"], "title"),
        subjects=subjects,
        paragraphs=paragraphs,
        closing=check_text(data["closing"], "closing"),
        signature=tuple(check_text(line, f"signature rad {n}") for n, line in enumerate(signature, 1)),
    )


def _subject(entry: object, number: int, check_text, check_when) -> SubjectLine:
    where = f"subject variant {number}"
    if not isinstance(entry, dict) or set(entry) - _SUBJECT_KEYS or "text" not in entry:
        raise TemplateError(f"{where} måste ha text och får bara ha nycklarna text och when")
    return SubjectLine(check_text(entry["text"], where), check_when(entry.get("when"), where))


def _paragraph(entry: object, number: int, check_text, check_when) -> Paragraph:
    where = f"stycke {number}"
    if not isinstance(entry, dict):
        raise TemplateError(f"{where} måste vara en tabell")
    unknown = set(entry) - _PARAGRAPH_KEYS
    if unknown:
        raise TemplateError(f"okända nycklar i {where}: {', '.join(sorted(unknown))}")
    if ("text" in entry) == ("facts" in entry):
        raise TemplateError(f"{where} måste ha antingen text eller facts")
    facts: tuple[tuple[str, str], ...] = ()
    if "facts" in entry:
        rows = entry["facts"]
        if not isinstance(rows, list) or not rows or not all(
            isinstance(row, list) and len(row) == 2 for row in rows
        ):
            raise TemplateError(f"facts i {where} måste vara en lista av par [etikett, värde]")
        facts = tuple(
            (check_text(label, f"{where}, rad {n}"), check_text(value, f"{where}, rad {n}"))
            for n, (label, value) in enumerate(rows, 1)
        )
    heading = entry.get("heading")
    return Paragraph(
        text=check_text(entry["text"], where) if "text" in entry else None,
        facts=facts,
        heading=check_text(heading, f"rubriken i {where}") if heading is not None else None,
        when=check_when(entry.get("when"), where),
    )


def fill(
    template: LetterTemplate, values: dict[str, str | None], conditions: set[str]
) -> tuple[FilledLetter | None, list[str]]:
    """Fill the paragraphs whose condition holds.

    Returns the filled letter, or None with the Swedish labels of every placeholder the
    shown text needs but `values` lacks, so the caller can list all of them at once.
    """
    shown = [p for p in template.paragraphs if p.when is None or p.when in conditions]
    subject = next((s for s in template.subjects if s.when is None or s.when in conditions), None)
    texts = [template.title, template.closing, *template.signature]
    texts += [subject.text] if subject else []
    for paragraph in shown:
        texts += [paragraph.text or "", paragraph.heading or ""]
        texts += [cell for row in paragraph.facts for cell in row]
    labels = COMMON_PLACEHOLDERS | KIND_PLACEHOLDERS[template.kind]
    missing = []
    for text in texts:
        for name in placeholders(text):
            if not values.get(name) and labels[name] not in missing:
                missing.append(labels[name])
    if subject is None:
        missing.append("en ärenderad som passar brevet")
    if missing:
        return None, missing
    present = {name: value for name, value in values.items() if value}

    def sub(text: str | None) -> str | None:
        return substitute(text, present) if text is not None else None

    return FilledLetter(
        title=substitute(template.title, present),
        subject=substitute(subject.text, present),
        paragraphs=tuple(
            Paragraph(
                text=sub(p.text),
                facts=tuple((substitute(a, present), substitute(b, present)) for a, b in p.facts),
                heading=sub(p.heading),
            )
            for p in shown
        ),
        closing=substitute(template.closing, present),
        signature=tuple(substitute(line, present) for line in template.signature),
    ), missing
