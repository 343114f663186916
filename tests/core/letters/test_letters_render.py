"""Rendered letters, read back with pypdf: content, page numbers, determinism, DEMO mark."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from mottagning.letters.model import (
    FeedbackOutcome,
    LetterKind,
    Recipient,
    RecipientRole,
)
from mottagning.letters.render import render_letter
from mottagning.letters.samples import sample_profile, sample_request
from mottagning.letters.templates import load_template, validate_template
from mottagning.rules.outcomes import Outcome


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with whitespace (line breaks, no-break spaces) collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def letter_text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def render(request, template=None):
    return render_letter(request, sample_profile(), template)


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_kind_prints_letterhead_recipient_dates_reference_and_page_number(kind):
    letter = render(sample_request(kind))
    text = letter_text(letter.pdf)
    request = sample_request(kind)
    for expected in [
        "Exempelby kommun",
        "Mottagningsenheten",
        request.recipient.name,
        request.recipient.address.street,
        "Elsa Lindqvist",
        "Datum: 16 november 2026",
        "Vår referens: BoF 2026-0417",
        "Sida 1 av 1",
        "Box 100",
        "Storgatan 12, Exempelby",
        "vardagar kl. 8.30–10.00",
        "Maria Ekström",
    ]:
        assert expected in text, expected
    assert letter.page_count == 1
    assert letter.template_version == load_template(kind).version
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()


def test_kallelse_prints_meeting_day_time_place_whom_rebooking_and_interpreter():
    text = letter_text(render(sample_request(LetterKind.KALLELSE)).pdf)
    assert "måndag 23 november 2026 kl. 14.30" in text
    assert "Storgatan 12, plan 3" in text
    assert "Maria Ekström och Johan Nyberg" in text
    assert "Ring Maria Ekström på 0123-45 67 12" in text
    assert "tolk på arabiska" in text


def test_kallelse_time_is_printed_in_stockholm_time_whatever_zone_it_was_given_in():
    request = sample_request(LetterKind.KALLELSE)
    utc_start = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    meeting = dataclasses.replace(request.meeting, start=utc_start)
    text = letter_text(render(dataclasses.replace(request, meeting=meeting)).pdf)
    assert "kl. 13.30" in text


def test_interpreter_offer_is_left_out_when_no_language_is_given():
    request = sample_request(LetterKind.KALLELSE)
    meeting = dataclasses.replace(request.meeting, interpreter_language=None)
    text = letter_text(render(dataclasses.replace(request, meeting=meeting)).pdf)
    assert "tolk" not in text.lower()


def test_kallelse_to_a_child_of_fifteen_speaks_to_the_child():
    request = sample_request(LetterKind.KALLELSE)
    child = Recipient(name="Elsa Lindqvist", role=RecipientRole.CHILD,
                      address=request.recipient.address)
    text = letter_text(render(dataclasses.replace(
        request, recipient=child, child_personnummer="20110312-2386")).pdf)
    assert "Vi vill träffa dig för ett samtal" in text
    assert "hur du har det" in text


@pytest.mark.parametrize("decision, expected", [
    (Outcome.INLEDA_UTREDNING, "Vi har beslutat att inleda en utredning"),
    (Outcome.INTE_INLEDA_UTREDNING, "Vi har beslutat att inte inleda någon utredning"),
    (Outcome.TILLFORS_PAGAENDE_UTREDNING, "Det pågår redan en utredning"),
])
def test_underrattelse_states_the_decision(decision, expected):
    request = dataclasses.replace(sample_request(LetterKind.UNDERRATTELSE), decision=decision)
    assert expected in letter_text(render(request).pdf)


def test_underrattelse_of_forwarding_names_the_receiving_municipality():
    request = dataclasses.replace(
        sample_request(LetterKind.UNDERRATTELSE),
        decision=Outcome.VIDAREBEFORDRAS, forwarded_to="Falu kommun",
    )
    assert "skickat anmälan vidare till socialtjänsten där" in letter_text(render(request).pdf)
    assert "Falu kommun" in letter_text(render(request).pdf)


def test_open_support_sentence_only_when_offered():
    offered = sample_request(LetterKind.UNDERRATTELSE)
    not_offered = dataclasses.replace(offered, open_support_offered=False)
    assert "föräldrastöd" in letter_text(render(offered).pdf)
    assert "föräldrastöd" not in letter_text(render(not_offered).pdf)


@pytest.mark.parametrize("outcome, expected", [
    (FeedbackOutcome.OPENED, "Socialtjänsten har inlett en utredning."),
    (FeedbackOutcome.NOT_OPENED, "beslutat att inte inleda någon utredning."),
    (FeedbackOutcome.ALREADY_UNDER_WAY, "Det pågick redan en utredning"),
])
def test_aterkoppling_says_only_the_outcome(outcome, expected):
    request = dataclasses.replace(sample_request(LetterKind.ATERKOPPLING), feedback=outcome)
    text = letter_text(render(request).pdf)
    assert expected in text
    assert "Ekbackens skola" in text


def test_rendering_twice_gives_identical_bytes():
    for kind in LetterKind:
        assert render(sample_request(kind)).pdf == render(sample_request(kind)).pdf


def test_another_process_renders_the_same_bytes():
    code = (
        "from mottagning.letters.render import render_letter;"
        "from mottagning.letters.samples import sample_profile, sample_request;"
        "print(render_letter(sample_request('kallelse'), sample_profile()).sha256)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == render(sample_request(LetterKind.KALLELSE)).sha256


def test_a_different_letter_gives_a_different_hash():
    request = sample_request(LetterKind.BEKRAFTELSE)
    other = dataclasses.replace(request, case_reference="BoF 2026-0418")
    assert render(request).sha256 != render(other).sha256


def test_a_long_letter_numbers_every_page_out_of_the_total():
    long_text = load_template(LetterKind.BEKRAFTELSE)
    extra = "".join(
        f'\n[[paragraphs]]\nheading = "Avsnitt {n}"\ntext = """{"Vi tar varje anmälan på allvar. " * 12}"""\n'
        for n in range(1, 9)
    )
    source = (
        f'version = {long_text.version + 1}\nkind = "bekraftelse"\ntitle = "Mottagningsbekräftelse"\n'
        'subject = "Vi har tagit emot din anmälan"\nclosing = "Med vänliga hälsningar"\n'
        'signature = ["{handlaggare}"]\n'
        '\n[[paragraphs]]\ntext = "Anmälan om {barnets_namn} kom in {anmalan_inkom}."\n' + extra
    )
    letter = render(sample_request(LetterKind.BEKRAFTELSE), validate_template(source))
    pages = pages_text(letter.pdf)
    assert letter.page_count == len(pages) == 2
    assert "Sida 1 av 2" in pages[0]
    assert "Sida 2 av 2" in pages[1]
    assert all("Vår referens: BoF 2026-0417" in page for page in pages)
    assert letter.template_version == long_text.version + 1


def test_demo_letter_is_marked_demo_on_every_page_and_warns():
    letter = render(sample_request(LetterKind.KALLELSE))
    assert all("DEMO" in page for page in pages_text(letter.pdf))
    assert any("DEMO" in warning for warning in letter.warnings)


def test_a_real_letter_carries_no_demo_mark():
    request = dataclasses.replace(sample_request(LetterKind.KALLELSE), demo=False)
    letter = render(request)
    assert "DEMO" not in letter_text(letter.pdf)
    assert letter.warnings == []


def test_the_font_is_embedded_and_swedish_letters_survive():
    letter = render(sample_request(LetterKind.ATERKOPPLING))
    reader = PdfReader(io.BytesIO(letter.pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                   if "/DescendantFonts" in font.get_object()
                   else font.get_object()["/FontDescriptor"] for font in fonts.values()]
    assert all("/FontFile2" in d.get_object() for d in descriptors)
    assert "Återkoppling på anmälan" in letter_text(letter.pdf)


def test_a_missing_logo_file_is_a_warning_not_a_failure(tmp_path):
    profile = dataclasses.replace(sample_profile(), logo_path=tmp_path / "saknas.png")
    letter = render_letter(sample_request(LetterKind.BEKRAFTELSE), profile)
    assert any("Logotypen" in warning for warning in letter.warnings)


def test_a_logo_is_drawn_in_the_letterhead_and_rendering_stays_deterministic(tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (20, 70, 140)).save(logo)
    profile = dataclasses.replace(sample_profile(), logo_path=logo)
    request = sample_request(LetterKind.UNDERRATTELSE)
    first, second = render_letter(request, profile), render_letter(request, profile)
    assert first.pdf == second.pdf
    images = PdfReader(io.BytesIO(first.pdf)).pages[0].images
    assert len(images) == 1
    assert not any("Logotypen" in warning for warning in first.warnings)


def _every_font(reader: PdfReader):  # type: ignore[no-untyped-def]
    """Every font object anywhere in the file, not only those a page's resources list."""
    for number in range(1, len(reader.xref_objStm) + sum(len(v) for v in reader.xref.values()) + 1):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - free or missing object numbers
            continue
        if hasattr(obj, "get") and obj.get("/Type") == "/Font" and obj.get("/Subtype") != "/Type0":
            yield obj


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_font_a_stored_letter_names_is_embedded(kind):
    """Letters are archived for decades: no font may be left to the reader's machine
    (reportlab starts each page in an unembedded Helvetica unless told otherwise)."""
    reader = PdfReader(io.BytesIO(render(sample_request(kind)).pdf))
    fonts = list(_every_font(reader))
    assert fonts
    for font in fonts:
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, f"{font.get('/BaseFont')} is not embedded"
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object().keys()), \
            f"{font.get('/BaseFont')} is not embedded"
def test_control_characters_in_case_data_never_reach_the_pdf():
    request = sample_request(LetterKind.KALLELSE)
    forged = dataclasses.replace(request, child_name="Ella\x1b[2J\r\nAndersson\u202e",
                                 recipient=dataclasses.replace(request.recipient,
                                                               name="Maria\x07 Andersson"))
    letter = render(forged)
    raw = letter_text(letter.pdf)
    for control in ("\x1b", "\r", "\x07", "\u202e"):
        assert control not in raw
    assert "Maria Andersson" in raw
