"""Reading one e-service inbox file: mottagning.intake.parse against intake-format.md."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mottagning.intake import parse as parse_module
from mottagning.intake.parse import MAX_FILE_BYTES, content_key_of, order_fields, parse_submission
from mottagning.intake.submission import ParsedSubmission, Unreadable
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SECRETS = ("Should Not Be Kept", "070-999 99 99", "secret@example.se")


def samples_dir() -> Path:
    """The sample inbox of the intake format, copied into tests/data/."""
    return SAMPLES


def sample_bytes(name: str) -> bytes:
    return (samples_dir() / name).read_bytes()


def sample_document(name: str = "0001-skola-forsummelse.json") -> dict[str, Any]:
    return json.loads(sample_bytes(name))


def parse(raw: bytes, *, received_at: datetime = NOW, now: datetime = NOW):
    return parse_submission(raw, file_name="test.json", received_at=received_at, now=now)


def parse_document(document: Any, **kwargs):
    return parse(json.dumps(document, ensure_ascii=False).encode("utf-8"), **kwargs)


def every_text(value: Any) -> str:
    """All strings and bytes inside a result, including fields hidden from repr."""
    if dataclasses.is_dataclass(value):
        return " ".join(every_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return " ".join(every_text(item) for item in value)
    return str(value)


EXPECTED = {
    "0001-skola-forsummelse.json": "registered",
    "0002-polis-bevittnat-vald-syskon.json": "registered",
    "0003-anonym-privatperson.json": "registered",
    "0004-dubblett-av-0001.json": "registered",
    "0005-ogiltigt-personnummer.json": "warning",
    "0006-inte-json.json": "unreadable",
    "0007-lucka-i-sekvens.json": "registered",
    "0008-akut-fara.json": "registered",
}


def test_every_sample_is_listed_in_the_expectations():
    assert sorted(p.name for p in samples_dir().glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_sample_parses_to_its_expected_kind(name, expected):
    result = parse(sample_bytes(name))
    if expected == "unreadable":
        assert isinstance(result, Unreadable)
        assert result.reason_sv and result.reason_en
    else:
        assert isinstance(result, ParsedSubmission)
        assert bool(result.warnings) == (expected == "warning"), result.warnings
        assert content_key_of(result.stored_original) == result.content_key


def test_sample_details_match_the_readme():
    school = parse(sample_bytes("0001-skola-forsummelse.json"))
    assert school.reporter.wants_feedback and school.reporter.mandatory
    assert school.sequence == 1
    assert [c.personnummer for c in school.children] == ["20150312-2382"]
    assert school.attachments[0].content == "Frånvaro ht 2026: 41 %\n".encode()
    siblings = parse(sample_bytes("0002-polis-bevittnat-vald-syskon.json"))
    assert len(siblings.children) == 2 and siblings.concern.violence
    danger = parse(sample_bytes("0008-akut-fara.json"))
    assert danger.concern.immediate_danger and danger.concern.violence


def test_duplicate_delivery_has_the_same_content_key():
    first = parse(sample_bytes("0001-skola-forsummelse.json"))
    again = parse(sample_bytes("0004-dubblett-av-0001.json"))
    assert (again.source, again.submission_id) == (first.source, first.submission_id)
    assert again.content_key == first.content_key


def test_reserialised_delivery_is_still_the_same_content():
    document = sample_document()
    compact = json.dumps(dict(reversed(document.items())), separators=(",", ":")).encode()
    assert parse(compact).content_key == parse(sample_bytes("0001-skola-forsummelse.json")).content_key


def test_changed_content_under_the_same_id_has_another_content_key():
    document = sample_document()
    document["concern"]["description"] += " Tillägg."
    original = parse(sample_bytes("0001-skola-forsummelse.json"))
    changed = parse_document(document)
    assert changed.submission_id == original.submission_id
    assert changed.content_key != original.content_key


def test_samordningsnummer_is_valid_without_warning():
    result = parse(sample_bytes("0007-lucka-i-sekvens.json"))
    assert result.warnings == ()
    assert result.children[0].personnummer == "20160888-1239"


def test_bad_check_digit_is_a_warning_not_a_refusal():
    result = parse(sample_bytes("0005-ogiltigt-personnummer.json"))
    assert isinstance(result, ParsedSubmission)
    assert result.children[0].personnummer == "20200228-3908"
    assert any("Kontrollsiffran" in warning for warning in result.warnings)


def test_anonymous_reporter_identity_is_never_kept():
    raw = sample_bytes("0003-anonym-privatperson.json")
    result = parse(raw)
    assert result.reporter.anonymous
    assert (result.reporter.name, result.reporter.phone, result.reporter.email) == (None, None, None)
    kept = every_text(result)
    for secret in SECRETS:
        assert secret not in kept
        assert secret.encode() not in result.stored_original
    assert result.sha256 == parse_module.hashlib.sha256(raw).hexdigest()
    assert json.loads(result.stored_original)["reporter"]["name"] is None


def test_anonymous_reporter_named_in_an_attachment_name_is_renamed():
    document = sample_document("0003-anonym-privatperson.json")
    document["attachments"] = [
        {"filename": "anmalan_should_not_be_kept.pdf", "media_type": "application/pdf",
         "content_base64": "JVBERi0xLjQK"},
    ]
    result = parse_document(document)
    assert result.attachments[0].filename == "bilaga-1.pdf"
    assert b"should_not" not in result.stored_original


def test_unclear_anonymity_is_treated_as_anonymous_with_a_warning():
    document = sample_document()
    del document["reporter"]["anonymous"]
    result = parse_document(document)
    assert result.reporter.anonymous and result.reporter.name is None
    assert b"Karin Ek" not in result.stored_original
    assert any("anonym" in warning for warning in result.warnings)


def test_fields_outside_the_format_are_not_kept_when_anonymity_is_unclear():
    document = sample_document("0003-anonym-privatperson.json")
    document["seporter"] = document.pop("reporter")  # a corrupted key
    result = parse_document(document)
    assert result.reporter.anonymous
    assert "seporter" not in json.loads(result.stored_original)
    for secret in SECRETS:
        assert secret not in every_text(result)


def test_anonymous_identity_is_removed_from_the_partial_of_an_unreadable_file():
    document = sample_document("0003-anonym-privatperson.json")
    del document["children"]
    result = parse_document(document)
    assert isinstance(result, Unreadable)
    assert result.partial["concern"]["description"].startswith("Jag bor granne")
    for secret in SECRETS:
        assert secret not in every_text(result)


def _drop(path: str):
    def mutate(document):
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        del target[last]
    return mutate


def _set(path: str, value: Any):
    def mutate(document):
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        target[last] = value
    return mutate


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (_drop("format"), "format"),
        (_set("format", "mottagning.e-tjanst/2"), "format"),
        (_drop("source"), "source"),
        (_set("source", ""), "source"),
        (_set("source", "   "), "source"),
        (_set("submission_id", 123), "submission_id"),
        (_drop("submission_id"), "submission_id"),
        (_drop("children"), "barn"),
        (_set("children", {"name": "Ella"}), "barn"),
        (_set("children", []), "barn"),
        (_set("children", ["Ella"]), "barn"),
        (_drop("concern.description"), "beskrivning"),
        (_set("concern.description", ""), "beskrivning"),
        (_set("concern.description", ["rad ett"]), "beskrivning"),
        (_set("concern", "text"), "beskrivning"),
    ],
)
def test_contract_violation_is_unreadable_with_partial(mutate, reason):
    document = sample_document()
    mutate(document)
    result = parse_document(document)
    assert isinstance(result, Unreadable)
    assert reason in result.reason_sv.lower()
    assert result.partial is not None and result.partial.get("sequence") == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "json"),
        (b"<html><body>502 Bad Gateway</body></html>", "json"),
        ('{"format": "Borl\u00e4nge"}'.encode("latin-1"), "utf-8"),
        (b"[1, 2, 3]", "json-objekt"),
        (b'"mottagning.e-tjanst/1"', "json-objekt"),
        (b'{"format": NaN}', "json"),
        (b'{"format": "mottagning.e-tjanst/1"', "json"),
    ],
)
def test_unreadable_bytes(raw, reason):
    result = parse(raw)
    assert isinstance(result, Unreadable)
    assert reason in result.reason_sv.lower()
    assert result.partial is None


def test_byte_order_mark_is_tolerated_and_kept_in_the_original():
    raw = b"\xef\xbb\xbf" + sample_bytes("0001-skola-forsummelse.json")
    result = parse(raw)
    assert isinstance(result, ParsedSubmission)
    assert result.stored_original == raw
    assert result.content_key == parse(raw[3:]).content_key


def test_file_over_25_mib_is_refused_before_parsing():
    raw = sample_bytes("0001-skola-forsummelse.json").rstrip() + b" " * MAX_FILE_BYTES
    result = parse(raw)
    assert isinstance(result, Unreadable) and "för stor" in result.reason_sv


def test_deep_nesting_is_unreadable_without_recursion_error():
    result = parse(b"[" * 100_000 + b"]" * 100_000)
    assert isinstance(result, Unreadable) and "32 nivåer" in result.reason_sv


def test_nesting_limit_counts_levels_and_ignores_brackets_in_text():
    def with_extra(levels: int) -> dict:
        document = sample_document()
        document["concern"]["description"] = "[[[{{{" * 50
        document["extra"] = json.loads("[" * levels + "]" * levels)
        return document

    assert isinstance(parse_document(with_extra(31)), ParsedSubmission)  # 32 with the object
    assert isinstance(parse_document(with_extra(32)), Unreadable)


def test_future_submitted_at_is_replaced_by_now_with_a_warning():
    document = sample_document()
    document["submitted_at"] = "2027-01-01T10:00:00+01:00"
    result = parse_document(document)
    assert result.submitted_at == NOW
    assert result.claimed_submitted_at == datetime.fromisoformat("2027-01-01T10:00:00+01:00")
    assert any("framtiden" in warning for warning in result.warnings)


def test_late_delivery_is_a_note_not_a_warning():
    submitted = datetime.fromisoformat("2026-11-16T08:12:40+01:00")
    late = parse(sample_bytes("0001-skola-forsummelse.json"), received_at=submitted + timedelta(days=3))
    assert late.late_delivery == timedelta(days=3)
    assert late.warnings == ()
    assert late.submitted_at == submitted
    prompt = parse(sample_bytes("0001-skola-forsummelse.json"), received_at=submitted + timedelta(hours=23))
    assert prompt.late_delivery is None


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_drop("sequence"), "Löpnummer"),
        (_set("sequence", "5"), "Löpnummer"),
        (_set("sequence", True), "Löpnummer"),
        (_set("sequence", 2.5), "Löpnummer"),
        (_set("reporter.category", "granne"), "Anmälarkategori"),
        (_set("reporter.category", ["skola"]), "Anmälarkategori"),
        (_set("concern.categories", ["forsummelse", "okand_kod"]), "okand_kod"),
        (_set("concern.categories", []), "orosområde"),
        (_set("attachments", [{"filename": "a.pdf", "content_base64": "inte base64!"}]), "base64"),
        (_set("children", [{"name": 5}]), "tal"),
        (_set("children", [{"name": "Ella", "birth_date": "igår"}]), "födelsedatum"),
        (_set("children", [{"personnummer": "okänt", "name": "Ella"}]), "fel form"),
        (_set("children", [{}]), "saknar personnummer"),
        (_set("guardians", "mamma"), "fel typ"),
        (_set("concern.immediate_danger", "ja"), "akut fara"),
        (_set("submitted_at", "i går"), "Inlämningstiden"),
        (_set("submitted_at", "2026-11-16T08:12:40"), "tidszon"),
    ],
)
def test_bad_data_is_a_warning_never_a_refusal(mutate, expected):
    document = sample_document()
    mutate(document)
    result = parse_document(document)
    assert isinstance(result, ParsedSubmission)
    assert any(expected.lower() in warning.lower() for warning in result.warnings), result.warnings


def test_missing_sequence_is_left_out_of_gap_detection():
    document = sample_document()
    del document["sequence"]
    assert parse_document(document).sequence is None


def test_unclear_immediate_danger_errs_towards_danger():
    document = sample_document()
    document["concern"]["immediate_danger"] = "kanske"
    assert parse_document(document).concern.immediate_danger is True


def test_child_without_personnummer_but_with_name_has_no_warning():
    document = sample_document()
    document["children"] = [{"name": "Liam", "personnummer": None}]
    assert parse_document(document).warnings == ()


def test_description_is_kept_verbatim():
    document = sample_document()
    description = "  Rad ett.\n\n\tRad två med \"citat\" och [hakparentes]  \n"
    document["concern"]["description"] = description
    assert parse_document(document).concern.description == description


def test_unstorable_characters_are_replaced_with_a_warning_and_original_kept():
    raw = sample_bytes("0003-anonym-privatperson.json").replace(
        b"Jag bor granne", b"Jag \\ud800 bor\\u0000 granne"
    )
    result = parse(raw)
    assert "\ufffd bor\ufffd granne" in result.concern.description
    assert any("ersatts" in warning for warning in result.warnings)
    assert b"\\ud800" in result.stored_original
    assert content_key_of(result.stored_original) == result.content_key


def test_repeated_field_name_uses_the_last_value_and_is_not_kept():
    raw = sample_bytes("0001-skola-forsummelse.json").replace(
        b'"reporter": {', b'"reporter": {"name": "Tidigare Namn", ', 1
    )
    result = parse(raw)
    assert result.reporter.name == "Karin Ek"
    assert b"Tidigare Namn" not in result.stored_original
    assert any("flera gånger" in warning for warning in result.warnings)


def test_attachment_name_cannot_point_outside_its_folder():
    document = sample_document()
    document["attachments"][0]["filename"] = "../../etc/passwd"
    assert parse_document(document).attachments[0].filename == "passwd"


def test_unexpected_error_becomes_unreadable(monkeypatch):
    def explode(*args, **kwargs):
        raise KeyError("oväntat")

    monkeypatch.setattr(parse_module, "_parse", explode)
    result = parse(sample_bytes("0001-skola-forsummelse.json"))
    assert isinstance(result, Unreadable) and "oväntat fel" in result.reason_sv


def test_order_fields_reads_source_and_sequence_where_possible():
    assert order_fields(sample_bytes("0007-lucka-i-sekvens.json")) == ("etjanst-orosanmalan", 6)
    assert order_fields(sample_bytes("0006-inte-json.json")) == (None, None)


# Property-based fuzzing: no input raises, every result is one of the two kinds.

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FIELD_PATHS = [
    ("format",), ("source",), ("submission_id",), ("sequence",), ("submitted_at",),
    ("reporter",), ("reporter", "category"), ("reporter", "anonymous"), ("reporter", "name"),
    ("reporter", "wants_feedback"), ("children",), ("children", 0), ("children", 0, "personnummer"),
    ("children", 0, "name"), ("children", 0, "birth_date"), ("children", 0, "address"),
    ("guardians",), ("guardians", 0), ("guardians", 0, "personnummer"), ("concern",),
    ("concern", "categories"), ("concern", "description"), ("concern", "immediate_danger"),
    ("attachments",), ("attachments", 0, "filename"), ("attachments", 0, "content_base64"),
]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mutated(document: dict, data: st.DataObject, paths: list[tuple]) -> dict:
    document = copy.deepcopy(document)
    for path in data.draw(st.lists(st.sampled_from(paths), max_size=4)):
        target = document
        for key in path[:-1]:
            try:
                target = target[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if data.draw(st.booleans()) and isinstance(target, dict):
                target.pop(path[-1], None)
            elif isinstance(target, dict) or (
                isinstance(target, list) and isinstance(path[-1], int) and path[-1] < len(target)
            ):
                target[path[-1]] = data.draw(JSON_VALUES)
    return document


def assert_one_of_the_two_kinds(result: Any) -> None:
    assert isinstance(result, ParsedSubmission | Unreadable)
    if isinstance(result, ParsedSubmission):
        assert content_key_of(result.stored_original) == result.content_key


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_never_raise(raw):
    assert_one_of_the_two_kinds(parse(raw))


@FUZZ
@given(st.data(), st.sampled_from(sorted(EXPECTED)))
def test_mutated_submissions_never_raise(data, name):
    result = parse(sample_bytes(name))
    if isinstance(result, Unreadable):
        return
    assert_one_of_the_two_kinds(parse_document(mutated(sample_document(name), data, FIELD_PATHS)))


IDENTITY = {
    "name": "Zebulon Quaxwright", "organisation": "Quaxwright Holding",
    "role": "Grannfru Xyzzy", "phone": "070-424 24 24", "email": "zq@quax.example",
}


@FUZZ
@given(st.data(), st.booleans())
def test_anonymous_reporter_never_leaks(data, named_attachment):
    document = sample_document()
    document["reporter"].update(IDENTITY, anonymous=True)
    if named_attachment:
        document["attachments"][0]["filename"] = "Zebulon_Quaxwright.txt"
    paths = [path for path in FIELD_PATHS if path[0] != "reporter"]
    result = parse_document(mutated(document, data, paths))
    assert_one_of_the_two_kinds(result)
    kept = every_text(result)
    for value in IDENTITY.values():
        assert value not in kept
    assert "Quaxwright" not in kept
