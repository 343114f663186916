"""The hard rules: protected identity, reporter secrecy, who may get which letter, gaps."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from mottagning.letters.model import (
    Address,
    LetterIncomplete,
    LetterKind,
    LetterRefused,
    Recipient,
    RecipientRole,
    ReporterInfo,
)
from mottagning.letters.render import render_letter
from mottagning.letters.samples import sample_profile, sample_request
from mottagning.rules.outcomes import Outcome

PROTECTED_ADDRESS = Address("Hemliga gränd 4", "987 65", "Gömstad")
NEIGHBOUR = ReporterInfo(category="privatperson", name="Gunnel Andersson")


def letter_text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def render(request):
    return render_letter(request, sample_profile())


def protected_guardian(**changes) -> Recipient:
    fields = {
        "name": "Sofia Lindqvist", "role": RecipientRole.GUARDIAN, "address": PROTECTED_ADDRESS,
        "protected_identity": True, "personnummer": "19850704-1238",
    }
    return Recipient(**(fields | changes))


@pytest.mark.parametrize("kind", [LetterKind.KALLELSE, LetterKind.UNDERRATTELSE])
def test_protected_recipient_has_no_address_anywhere_and_goes_via_skatteverket(kind):
    request = dataclasses.replace(sample_request(kind), recipient=protected_guardian())
    letter = render(request)
    text = letter_text(letter.pdf)
    assert "Hemliga gränd" not in text
    assert "987 65" not in text
    assert "Gömstad" not in text
    assert "c/o Skatteverket, vidarebefordran" in text
    assert "19850704-1238" in text
    assert any("skyddade personuppgifter" in w and "Box 2820" in w for w in letter.warnings)


def test_protected_reporter_gets_no_address_either():
    request = sample_request(LetterKind.BEKRAFTELSE)
    recipient = dataclasses.replace(
        request.recipient, protected_identity=True, personnummer="19850704-1238")
    text = letter_text(render(dataclasses.replace(request, recipient=recipient)).pdf)
    assert "Skolvägen 3" not in text
    assert "c/o Skatteverket, vidarebefordran" in text


def test_protected_address_typed_into_the_meeting_place_stops_the_letter():
    request = sample_request(LetterKind.KALLELSE)
    meeting = dataclasses.replace(request.meeting, place="Hemma hos er, Hemliga  gränd 4")
    with pytest.raises(LetterRefused, match="skyddade adress"):
        render(dataclasses.replace(request, recipient=protected_guardian(), meeting=meeting))


def test_protected_recipient_without_personnummer_is_incomplete_not_printed():
    request = dataclasses.replace(
        sample_request(LetterKind.KALLELSE), recipient=protected_guardian(personnummer=None))
    with pytest.raises(LetterIncomplete, match="personnummer"):
        render(request)


@pytest.mark.parametrize("kind", [LetterKind.KALLELSE, LetterKind.UNDERRATTELSE])
def test_private_reporter_is_never_named_to_the_family(kind):
    request = dataclasses.replace(sample_request(kind), reporter=NEIGHBOUR)
    text = letter_text(render(request).pdf)
    assert "Gunnel" not in text
    assert "Andersson" not in text
    assert "Anmälan kommer från" not in text and "Anmälan kom från" not in text


def test_mandatory_reporter_is_named_to_the_family_by_organisation_only():
    text = letter_text(render(sample_request(LetterKind.KALLELSE)).pdf)
    assert "Anmälan kommer från Ekbackens skola." in text
    assert "Karin Berg" not in text


def test_other_professional_counts_as_private_and_is_not_named():
    reporter = ReporterInfo(category="yrkesverksam_ovrig", name="Per Holm", organisation="Holms Bygg AB")
    request = dataclasses.replace(sample_request(LetterKind.KALLELSE), reporter=reporter)
    text = letter_text(render(request).pdf)
    assert "Holms Bygg" not in text and "Per Holm" not in text


def test_private_reporters_name_in_a_typed_field_stops_the_letter():
    request = dataclasses.replace(sample_request(LetterKind.KALLELSE), reporter=NEIGHBOUR)
    meeting = dataclasses.replace(request.meeting, meeting_with="Maria Ekström och gunnel  ANDERSSON")
    with pytest.raises(LetterRefused, match="anmälarens identitet"):
        render(dataclasses.replace(request, meeting=meeting))


def test_a_child_reporting_itself_does_not_stop_its_own_kallelse():
    request = sample_request(LetterKind.KALLELSE)
    reporter = ReporterInfo(category="barnet_sjalvt", name="Elsa Lindqvist")
    assert render(dataclasses.replace(request, reporter=reporter)).page_count == 1


def test_anonymous_reporter_cannot_carry_an_identity():
    with pytest.raises(ValueError, match="anonym"):
        ReporterInfo(category="anonym", name="Någon")
    with pytest.raises(ValueError, match="anonym"):
        ReporterInfo(category="skola", anonymous=True, organisation="Ekbackens skola")


def test_anonymous_reporter_is_never_mandatory():
    assert not ReporterInfo(category="skola", anonymous=True).is_mandatory


@pytest.mark.parametrize("reporter", [
    NEIGHBOUR,
    ReporterInfo(category="anonym"),
    ReporterInfo(category="familjen_sjalv", name="Sofia Lindqvist", wants_feedback=True),
    ReporterInfo(category="yrkesverksam_ovrig", name="Per Holm", wants_feedback=True),
])
def test_aterkoppling_is_refused_to_a_reporter_who_is_not_mandatory(reporter):
    request = dataclasses.replace(sample_request(LetterKind.ATERKOPPLING), reporter=reporter)
    with pytest.raises(LetterRefused, match="Återkoppling får bara lämnas till en anmälningsskyldig"):
        render(request)


def test_aterkoppling_is_refused_when_the_reporter_did_not_ask_for_it():
    request = sample_request(LetterKind.ATERKOPPLING)
    reporter = dataclasses.replace(request.reporter, wants_feedback=False)
    with pytest.raises(LetterRefused, match="inte begärt återkoppling"):
        render(dataclasses.replace(request, reporter=reporter))


def test_bekraftelse_is_refused_to_an_anonymous_reporter():
    request = dataclasses.replace(
        sample_request(LetterKind.BEKRAFTELSE), reporter=ReporterInfo(category="anonym"))
    with pytest.raises(LetterRefused, match="uppgett namn"):
        render(request)


def test_bekraftelse_to_a_private_reporter_explains_secrecy_instead_of_feedback():
    request = sample_request(LetterKind.BEKRAFTELSE)
    recipient = dataclasses.replace(request.recipient, name="Gunnel Andersson", organisation=None)
    text = letter_text(render(dataclasses.replace(request, recipient=recipient, reporter=NEIGHBOUR)).pdf)
    assert "omfattas av sekretess" in text
    assert "Du har bett om återkoppling" not in text


def test_underrattelse_to_a_child_is_refused():
    request = sample_request(LetterKind.UNDERRATTELSE)
    child = dataclasses.replace(request.recipient, role=RecipientRole.CHILD)
    with pytest.raises(LetterRefused, match="kan bara skickas till en vårdnadshavare"):
        render(dataclasses.replace(request, recipient=child))


def test_kallelse_to_a_child_under_fifteen_is_refused():
    request = sample_request(LetterKind.KALLELSE)
    child = dataclasses.replace(request.recipient, name="Elsa Lindqvist", role=RecipientRole.CHILD)
    with pytest.raises(LetterRefused, match="inte fyllt 15 år"):
        render(dataclasses.replace(request, recipient=child))


def test_kallelse_missing_everything_lists_everything_at_once():
    request = dataclasses.replace(
        sample_request(LetterKind.KALLELSE),
        recipient=Recipient(name="Sofia Lindqvist", role=RecipientRole.GUARDIAN),
        meeting=None, signer_title=" ",
    )
    with pytest.raises(LetterIncomplete) as error:
        render(request)
    missing = error.value.missing
    assert "mottagarens adress (eller markering om skyddade personuppgifter)" in missing
    for label in ["mötets datum", "mötets klockslag", "mötets plats", "vem mottagaren träffar",
                  "hur man bokar om tiden", "handläggarens titel"]:
        assert label in missing
    assert len(missing) == len(set(missing))
    assert str(error.value).startswith("Brevet kan inte skapas. Uppgifter saknas: ")


def test_underrattelse_without_decision_is_incomplete():
    request = dataclasses.replace(sample_request(LetterKind.UNDERRATTELSE), decision=None)
    with pytest.raises(LetterIncomplete, match="beslutet"):
        render(request)


def test_forwarding_without_the_receiving_municipality_is_incomplete():
    request = dataclasses.replace(
        sample_request(LetterKind.UNDERRATTELSE),
        decision=Outcome.VIDAREBEFORDRAS, forwarded_to=None,
    )
    with pytest.raises(LetterIncomplete, match="kommunen som anmälan skickats vidare till"):
        render(request)


def test_aterkoppling_without_outcome_is_incomplete():
    request = dataclasses.replace(sample_request(LetterKind.ATERKOPPLING), feedback=None)
    with pytest.raises(LetterIncomplete, match="vad återkopplingen gäller"):
        render(request)


def test_address_with_blank_parts_is_incomplete():
    request = sample_request(LetterKind.KALLELSE)
    recipient = dataclasses.replace(request.recipient, address=Address("Björkvägen 7", "", " "))
    with pytest.raises(LetterIncomplete) as error:
        render(dataclasses.replace(request, recipient=recipient))
    assert error.value.missing == ["mottagarens postnummer", "mottagarens postort"]


def test_naive_meeting_time_is_refused_at_construction():
    request = sample_request(LetterKind.KALLELSE)
    with pytest.raises(ValueError, match="tidszon"):
        dataclasses.replace(request.meeting, start=request.meeting.start.replace(tzinfo=None))


def test_private_reporters_name_in_the_case_reference_stops_the_letter():
    request = dataclasses.replace(
        sample_request(LetterKind.UNDERRATTELSE), reporter=NEIGHBOUR,
        case_reference="BoF 2026-0417 (anm. Gunnel Andersson)",
    )
    with pytest.raises(LetterRefused, match="anmälarens identitet"):
        render(request)
