"""Reading one e-service inbox file (`mottagning.e-tjanst/1`) and deciding what it is.

The contract is ../shared/intake-format.md. Nothing here touches the database or moves a
file: `parse_submission` turns bytes into a `ParsedSubmission` ready to be registered, or an
`Unreadable` whose reasons go into the quarantine sidecar. The importer owns the
transaction, the duplicate check and the alarms.

Three rules shape the code: no input may raise (a crash would lose a concern report); bad
data in a readable report is a warning, never a rejection; an anonymous reporter's identity
does not survive into anything returned from here.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from mottagning.intake.fields import FieldReader, identifier, sequence_number, short_repr
from mottagning.intake.submission import Concern, ParsedSubmission, Reporter, Unreadable
from mottagning.rules.codes import codes
from mottagning.timeutil import as_utc, to_local

FORMAT = "mottagning.e-tjanst/1"
MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_NESTING = 32
MAX_CHILDREN = 50
LATE_AFTER = timedelta(hours=24)
IDENTIFYING_REPORTER_FIELDS = ("name", "organisation", "role", "phone", "email")
_FORMAT_FIELDS = frozenset({
    "format", "source", "submission_id", "sequence", "submitted_at", "reporter", "children",
    "guardians", "concern", "attachments",
})

_BOM = b"\xef\xbb\xbf"
# A JSON string literal, removed before counting brackets so that "[" in text is no
# nesting. A string never closed runs to the end of the file, and the possessive loop never
# backtracks, so every attempt that starts at a quote matches and the check is linear in
# the file's size (a backtracking pattern took minutes on a 200 KB string of escaped quotes
# while holding the inbox lock).
_STRING_LITERAL = re.compile(rb'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = [1 if b in b"[{" else -1 for b in range(256)]


def parse_submission(
    raw: bytes, *, file_name: str, received_at: datetime, now: datetime
) -> ParsedSubmission | Unreadable:
    """Decide what one inbox file is. Never raises.

    `received_at` is when the file arrived (its modification time); `now` is the import's
    own clock, used instead of a `submitted_at` in the future. Both should be aware
    (naive values are taken as UTC).
    """
    try:
        return _parse(raw, file_name=file_name, received_at=as_utc(received_at), now=as_utc(now))
    except Exception:  # noqa: BLE001 - the last guard: a crash here would lose the report
        return Unreadable(
            "Ett oväntat fel uppstod när filen lästes. Registrera anmälan för hand.",
            "An unexpected error occurred while reading the file. Register the report by hand.",
        )


def order_fields(raw: bytes) -> tuple[str | None, int | None]:
    """`source` and `sequence` where readable (else None), for ordering the inbox. Never raises."""
    try:
        decoded = _decode(raw)
        if isinstance(decoded, Unreadable):
            return None, None
        document = decoded[0]
        return identifier(document.get("source")), sequence_number(document.get("sequence"))
    except Exception:  # noqa: BLE001 - ordering must never stop an import
        return None, None


def content_key_of(stored_original: bytes) -> str:
    """The content key of a stored original, equal to the `content_key` it was parsed with.

    "Same content" means the same JSON data after the anonymous reporter's identity is
    removed: whitespace, key order, escapes and a BOM do not count. So a re-delivery that
    an e-service re-serialised is still a duplicate, and the key can be recomputed from
    what the database holds.
    """
    return _canonical_key(json.loads(stored_original.removeprefix(_BOM)))


def _parse(raw: bytes, *, file_name: str, received_at: datetime, now: datetime):
    decoded = _decode(raw)
    if isinstance(decoded, Unreadable):
        return decoded
    document, repeated_keys = decoded
    reporter_json = document.get("reporter")
    anonymous, anonymity_warning = _anonymity(reporter_json)
    effective = _anonymised(document) if anonymous else document

    def unreadable(reason_sv: str, reason_en: str) -> Unreadable:
        # The quarantined copy of an anonymous reporter's file must not name them either.
        return Unreadable(reason_sv, reason_en, effective,
                          anonymised=_serialised(effective) if anonymous else None)

    if document.get("format") != FORMAT:
        shown = short_repr(document.get("format"))
        return unreadable(
            f"Fältet format saknas eller är fel (väntat {FORMAT!r}, fanns {shown}).",
            f"The format field is missing or wrong (expected {FORMAT!r}, found {shown}).",
        )
    source = identifier(document.get("source"))
    if source is None:
        return unreadable(
            "Fältet source (vilken e-tjänst som skickat filen) saknas eller är ogiltigt.",
            "The source field (which e-service sent the file) is missing or invalid.",
        )
    submission_id = identifier(document.get("submission_id"))
    if submission_id is None:
        return unreadable(
            "Fältet submission_id (inlämningens id) saknas eller är ogiltigt.",
            "The submission_id field is missing or invalid.",
        )
    children_json = document.get("children")
    if not isinstance(children_json, list) or not any(isinstance(c, dict) for c in children_json):
        return unreadable(
            "Anmälan anger inget barn (children saknas, är tom eller går inte att läsa).",
            "The report names no child (children is missing, empty or unreadable).",
        )
    if len(children_json) > MAX_CHILDREN:
        # One queue item per child: thousands of children from one file would flood the
        # queue (and its memory); a person decides what such a file is.
        return unreadable(
            f"Anmälan anger {len(children_json)} barn, fler än {MAX_CHILDREN} som tas emot per fil.",
            f"The report names {len(children_json)} children, more than {MAX_CHILDREN} per file.",
        )
    concern_json = effective.get("concern")
    description = concern_json.get("description") if isinstance(concern_json, dict) else None
    if not isinstance(description, str) or not description.strip():
        return unreadable(
            "Anmälarens beskrivning (concern.description) saknas.",
            "The reporter's description (concern.description) is missing.",
        )

    fields = FieldReader(today=to_local(now).date())
    if anonymity_warning:
        fields.warn(anonymity_warning)
    if anonymous and not _FORMAT_FIELDS.issuperset(document):
        fields.warn("Fält utanför formatet har inte sparats, eftersom anmälaren behandlas som anonym.")
    if repeated_keys:
        fields.warn("Samma fältnamn förekommer flera gånger i ett objekt; det sista värdet har använts.")
    sequence = sequence_number(document.get("sequence"))
    if sequence is None:
        fields.warn(
            "Löpnummer (sequence) saknas eller är inte ett heltal; "
            "filen ingår inte i kontrollen av saknade inlämningar."
        )
    submitted_at, claimed = fields.submitted_at(document.get("submitted_at"), received_at, now)
    delay = received_at - submitted_at
    reporter = _reporter(fields, effective.get("reporter"), anonymous)
    children = tuple(
        fields.child(entry, f"Barn {n}") for n, entry in enumerate(children_json, 1)
        if fields.is_object(entry, f"Barn {n}")
    )
    guardians = tuple(
        fields.guardian(entry, f"Vårdnadshavare {n}")
        for n, entry in enumerate(fields.items(document, "guardians", "Vårdnadshavare"), 1)
        if fields.is_object(entry, f"Vårdnadshavare {n}")
    )
    concern = Concern(
        categories=fields.codes_list(
            concern_json, "categories", codes().concern_categories, "orosområde"
        ),
        description=fields.storable(description, "Beskrivningen"),
        immediate_danger=bool(fields.flag(concern_json, "immediate_danger", "Akut fara", unclear=True)),
        guardians_informed=fields.flag(
            concern_json, "guardians_informed", "Vårdnadshavarna informerade", unclear=None
        ),
        child_informed=fields.flag(concern_json, "child_informed", "Barnet informerat", unclear=None),
    )
    attachments = tuple(
        fields.attachment(entry, n)
        for n, entry in enumerate(fields.items(effective, "attachments", "Bilagor"), 1)
        if fields.is_object(entry, f"Bilaga {n}")
    )
    rewrite = anonymous or repeated_keys
    return ParsedSubmission(
        file_name=file_name,
        source=source,
        submission_id=submission_id,
        sequence=sequence,
        submitted_at=submitted_at,
        claimed_submitted_at=claimed,
        received_at=received_at,
        late_delivery=delay if delay > LATE_AFTER else None,
        reporter=reporter,
        children=children,
        guardians=guardians,
        concern=concern,
        attachments=attachments,
        warnings=tuple(fields.warnings),
        stored_original=_serialised(effective) if rewrite else raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        content_key=_canonical_key(effective),
    )


def _decode(raw: bytes) -> tuple[dict[str, Any], bool] | Unreadable:
    """The JSON object and whether a key was repeated, or why the file cannot be read."""
    if len(raw) > MAX_FILE_BYTES:
        return too_large(len(raw))
    body = raw.removeprefix(_BOM)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return Unreadable(
            f"Filen är inte kodad som UTF-8 (ogiltig byte på position {error.start}).",
            f"The file is not UTF-8 encoded (invalid byte at position {error.start}).",
        )
    # Counted before json.loads, which would recurse once per level and could overflow.
    if _nesting_exceeds(body, MAX_NESTING):
        return Unreadable(
            f"Filen är nästlad djupare än {MAX_NESTING} nivåer.",
            f"The file is nested deeper than {MAX_NESTING} levels.",
        )
    repeated = False

    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        result = dict(pairs)
        repeated = repeated or len(result) != len(pairs)
        return result

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        document = json.loads(text, object_pairs_hook=pairs_to_dict, parse_constant=reject_constant)
    except ValueError as error:
        where = ""
        if isinstance(error, json.JSONDecodeError):
            where = f" (rad {error.lineno}, kolumn {error.colno})"
        return Unreadable(
            f"Filen är inte giltig JSON{where}.",
            f"The file is not valid JSON: {error}",
        )
    if not isinstance(document, dict):
        return Unreadable(
            "Filen innehåller inte ett JSON-objekt.",
            "The file does not contain a JSON object.",
        )
    return document, repeated


def too_large(size: int) -> Unreadable:
    """Why a file of `size` bytes is not read: its real size, which may be far over the limit."""
    shown = f"{size / (1024 * 1024):.1f} MiB"
    return Unreadable(
        f"Filen är för stor ({shown}, högst 25 MiB) och har inte lästs.",
        f"The file is too large ({shown}, at most 25 MiB) and was not read.",
    )


def _nesting_exceeds(body: bytes, limit: int) -> bool:
    skeleton = _STRING_LITERAL.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, skeleton)), default=0) > limit


def _anonymity(reporter: Any) -> tuple[bool, str | None]:
    """Whether to treat the reporter as anonymous, and a warning when that was a guess.

    When in doubt the reporter is anonymous: keeping an identity that was meant to be
    withheld cannot be undone, a missing one the worker can ask for.
    """
    if not isinstance(reporter, dict):
        return True, "Uppgifter om anmälaren saknas eller kan inte läsas."
    flag = reporter.get("anonymous")
    if flag is True:
        return True, None
    if flag is False and reporter.get("category") == "anonym":
        return True, (
            "Anmälaren har kategorin anonym men anges inte som anonym; "
            "anmälaren behandlas som anonym och identitetsuppgifterna har inte sparats."
        )
    if flag is False:
        return False, None
    return True, (
        "Det framgår inte om anmälaren är anonym (reporter.anonymous saknas eller är fel); "
        "anmälaren behandlas som anonym och identitetsuppgifterna har inte sparats."
    )


def _anonymised(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the reporter's identity, also in attachment names."""
    reporter = document.get("reporter")
    original = reporter if isinstance(reporter, dict) else {}
    category = original.get("category")
    feedback = original.get("wants_feedback")
    kept: dict[str, Any] = {
        # An unknown code may be free text that names someone: only known codes stay.
        "category": category if _is_code(category, codes().reporter_categories) else None,
        "anonymous": True,
        **dict.fromkeys(IDENTIFYING_REPORTER_FIELDS),
        "wants_feedback": feedback if isinstance(feedback, bool) else False,
    }
    # Fields outside the format may hold the identity too (a misspelt "reporter", an
    # e-service's own contact field): they are not kept either.
    unknown = [value for key, value in document.items() if key not in _FORMAT_FIELDS]
    identity = [original.get(key) for key in IDENTIFYING_REPORTER_FIELDS] + unknown
    if not isinstance(reporter, dict):
        identity.append(reporter)
    result = {key: value for key, value in document.items() if key in _FORMAT_FIELDS}
    result["reporter"] = kept
    attachments = document.get("attachments")
    if isinstance(attachments, list):
        tokens = _identity_tokens(identity)
        result["attachments"] = [
            _renamed_if_identifying(entry, n, tokens) for n, entry in enumerate(attachments, 1)
        ]
    return result


def _identity_tokens(values: list[Any]) -> set[str]:
    tokens: set[str] = set()
    for value in values:
        if value is None or isinstance(value, bool):
            continue
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        for part in [text, *re.split(r"\W+", text)]:
            folded = _folded(part)
            if len(folded) >= 3:
                tokens.add(folded)
    return tokens


def _folded(text: str) -> str:
    """Lower-case letters and digits only, so 'Karin_Ek' still matches 'Karin Ek'."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _renamed_if_identifying(entry: Any, number: int, tokens: set[str]) -> Any:
    if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
        return entry
    name = entry["filename"]
    folded = _folded(name)
    if not any(token in folded for token in tokens):
        return entry
    extension = re.search(r"\.[A-Za-z0-9]{1,8}$", name)
    return {**entry, "filename": f"bilaga-{number}{extension.group(0) if extension else ''}"}


def _reporter(fields: FieldReader, reporter: Any, anonymous: bool) -> Reporter:
    data = reporter if isinstance(reporter, dict) else {}
    category = data.get("category")
    if not _is_code(category, codes().reporter_categories):
        shown = "" if anonymous or category is None else f": {short_repr(category)}"
        fields.warn(f"Anmälarkategori saknas eller är okänd{shown}.")
        category = None

    def text(key: str, label: str) -> str | None:
        return None if anonymous else fields.text(data, key, label)

    return Reporter(
        category=category,
        anonymous=anonymous,
        name=text("name", "Anmälarens namn"),
        organisation=text("organisation", "Anmälarens organisation"),
        role=text("role", "Anmälarens roll"),
        phone=text("phone", "Anmälarens telefon"),
        email=text("email", "Anmälarens e-post"),
        # A mandatory reporter's right to feedback outweighs an unneeded letter.
        wants_feedback=not anonymous
        and bool(fields.flag(data, "wants_feedback", "Önskar återkoppling", unclear=True)),
    )


def _is_code(value: Any, known: dict[str, Any]) -> bool:
    return isinstance(value, str) and value in known


def _serialised(document: dict[str, Any]) -> bytes:
    # A string may hold a lone surrogate (from a "\ud800" escape), which UTF-8 cannot
    # encode; backslashreplace writes it back as exactly that JSON escape.
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8", "backslashreplace")


def _canonical_key(document: Any) -> str:
    canonical = json.dumps(document, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
