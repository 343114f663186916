"""Letters issued from database data: stored PDFs read back, hard rules, guards, roles."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import ConcurrentEdit, MottagningError, PermissionDenied
from mottagning.intake.reports import ChildInput, GuardianInput, register_report
from mottagning.letters.model import Address, LetterKind, Meeting
from mottagning.letters.profile import ProfileData, put_profile
from mottagning.letters.service import (
    LetterNotPossible,
    LetterStatus,
    issue_letter,
    item_letters,
    letter_pdf,
    list_recipients,
    mark_printed,
    mark_sent,
    pending_letters,
    prepare_letter,
)
from mottagning.models import AuditEvent
from mottagning.models.letters import IssuedLetter
from mottagning.queue.items import get_item, move_item
from mottagning.rules.status import Status
from mottagning.settings import put_setting
from mottagning.timeutil import STOCKHOLM
from tests.core.factories import register_simple, simple_report

PROFILE = ProfileData(
    municipality="Borlänge kommun", unit="Mottagningsenheten, Barn och familj",
    visiting_address="Röda vägen 50", postal_address="Box 834\n781 28 Borlänge",
    phone="0243-740 00", phone_hours="vardagar kl. 8.30–10.00", email="mottagningen@borlange.se",
)
MEETING = Meeting(start=datetime(2026, 12, 1, 10, 0, tzinfo=STOCKHOLM), place="Röda vägen 50, plan 2",
                  meeting_with="Anna Testsson, socialsekreterare", rebooking="")
SCHOOL = Address("Kvarnbacksvägen 1", "784 33", "Borlänge")


def register_with_guardians(database: Database, actor: Actor, now: datetime, guardians, **kwargs) -> int:
    report = dataclasses.replace(simple_report(received_at=now - timedelta(hours=1), **kwargs), guardians=guardians)
    with database.transaction() as session:
        return register_report(session, actor, report, now=now).item_ids[0]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def collapse(text: str) -> str:
    return " ".join(text.replace("\N{NO-BREAK SPACE}", " ").split())


@pytest.fixture
def profile(database: Database, admin: Actor) -> None:
    with database.transaction() as session:
        put_profile(session, admin, PROFILE)


def advance(database: Database, actor: Actor, item_id: int, *statuses: Status, outcome: str | None = None,
            now: datetime) -> None:
    with database.transaction() as session:
        item = get_item(session, item_id)
        for status in statuses:
            move_item(session, actor, item, status, now=now)
        if outcome:
            item.outcome = outcome


DECIDED = (Status.PROTECTION_ASSESSED, Status.DECISION_PROPOSED, Status.DECISION_SIGNED)


def issue(database: Database, actor: Actor, item_id: int, kind: LetterKind, now: datetime, **kwargs):
    with database.transaction() as session:
        return issue_letter(session, actor, item_id, kind, recipient_index=kwargs.pop("recipient_index", 0),
                            now=now, **kwargs)


def stored_pdf(database: Database, letter_id: int) -> bytes:
    with database.transaction() as session:
        return session.get(IssuedLetter, letter_id).pdf


@pytest.mark.parametrize("kind", list(LetterKind))
def test_each_kind_is_issued_from_database_data_and_stored_as_approved(
    database, worker, profile, now, kind
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    advance(database, worker, item_id, *DECIDED, outcome="inleda_utredning", now=now)
    extra = {"meeting": MEETING} if kind is LetterKind.KALLELSE else {}
    if kind in (LetterKind.ATERKOPPLING, LetterKind.BEKRAFTELSE):
        extra["reporter_address"] = SCHOOL
    result = issue(database, worker, item_id, kind, now, **extra)
    pdf = stored_pdf(database, result.letter.id)
    text = collapse(text_of(pdf))
    assert result.letter.sha256 == hashlib.sha256(pdf).hexdigest()
    assert result.letter.status is LetterStatus.APPROVED and result.letter.template_version == 1
    assert "Ella Andersson" in text and f"BoF 2026-{item_id:04d}" in text and "Borlänge kommun" in text
    assert "24 november 2026" in text and "DEMO" not in text
    if kind is LetterKind.KALLELSE:
        assert "Maria Andersson" in text and "Storgatan 14 B" in text and "1 december 2026" in text
        assert "Ring oss på telefon 0243-740 00" in text  # the unit's rebooking line by default
    elif kind is LetterKind.UNDERRATTELSE:
        assert "utredning" in text.lower()
    else:
        assert "Karin Ek" in text and "Kvarnbacksvägen 1" in text
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "letter_issued")).one()
    assert event.details["sha256"] == result.letter.sha256 and "Ella" not in str(event.details)


def test_each_guardian_gets_a_letter_of_their_own_at_their_own_address(database, worker, profile, now) -> None:
    guardians = (
        GuardianInput(name="Maria Andersson", relation="mamma", street="Storgatan 14 B",
                      postal_code="784 33", city="Borlänge"),
        GuardianInput(name="Per Andersson", relation="pappa", street="Falugatan 3",
                      postal_code="791 71", city="Falun"),
    )
    item_id = register_with_guardians(database, worker, now, guardians)
    advance(database, worker, item_id, Status.PROTECTION_ASSESSED, now=now)
    with database.transaction() as session:
        choices = list_recipients(session, worker, item_id, LetterKind.KALLELSE, now=now)
    assert [c.name for c in choices] == ["Maria Andersson", "Per Andersson"]
    texts = [collapse(text_of(stored_pdf(database, issue(
        database, worker, item_id, LetterKind.KALLELSE, now, meeting=MEETING, recipient_index=n).letter.id)))
        for n in (0, 1)]
    assert "Storgatan 14 B" in texts[0] and "Falugatan 3" not in texts[0]
    assert "Falugatan 3" in texts[1] and "Storgatan 14 B" not in texts[1]


def test_protected_guardian_is_addressed_via_skatteverket_with_no_address(database, worker, profile, now) -> None:
    guardians = (GuardianInput(name="Lina Berg", personnummer="19850101-0005", relation="mamma",
                               street="Hemliga vägen 9", postal_code="784 40", city="Borlänge",
                               protected_identity=True),)
    item_id = register_with_guardians(database, worker, now, guardians)
    advance(database, worker, item_id, Status.PROTECTION_ASSESSED, now=now)
    result = issue(database, worker, item_id, LetterKind.KALLELSE, now, meeting=MEETING)
    text = collapse(text_of(stored_pdf(database, result.letter.id)))
    assert "Hemliga vägen" not in text and "784 40" not in text
    assert "c/o Skatteverket" in text and "19850101-0005" in text
    assert result.letter.protected_recipient
    assert any("Skatteverket" in warning for warning in result.warnings)


def test_a_private_reporters_name_is_never_in_a_letter_to_the_family(database, worker, profile, now) -> None:
    item_id = register_simple(database, worker, now=now, category="privatperson").item_ids[0]
    advance(database, worker, item_id, *DECIDED, outcome="inte_inleda_utredning", now=now)
    for kind, extra in ((LetterKind.KALLELSE, {"meeting": MEETING}), (LetterKind.UNDERRATTELSE, {})):
        text = collapse(text_of(stored_pdf(database, issue(database, worker, item_id, kind, now, **extra).letter.id)))
        assert "Karin Ek" not in text and "Kvarnbackens skola" not in text


def test_kallelse_before_the_protection_assessment_is_refused(database, worker, profile, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with pytest.raises(MottagningError, match="Skyddsbedömningen"):
        issue(database, worker, item_id, LetterKind.KALLELSE, now, meeting=MEETING)


def test_underrattelse_before_the_decision_is_signed_is_refused(database, worker, profile, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    advance(database, worker, item_id, Status.PROTECTION_ASSESSED, Status.DECISION_PROPOSED, now=now)
    with pytest.raises(LetterNotPossible, match="inte signerat"):
        issue(database, worker, item_id, LetterKind.UNDERRATTELSE, now)


@pytest.mark.parametrize(("category", "wants", "message"), [
    ("privatperson", True, "anmälningsskyldig"),
    ("skola", False, "inte begärt"),
])
def test_aterkoppling_only_to_a_mandatory_reporter_who_asked(
    database, worker, profile, now, category, wants, message
) -> None:
    item_id = register_simple(database, worker, now=now, category=category).item_ids[0]
    advance(database, worker, item_id, *DECIDED, outcome="inleda_utredning", now=now)
    if not wants:
        with database.transaction() as session:
            get_item(session, item_id).report.reporter_wants_feedback = False
    with pytest.raises(LetterNotPossible, match=message):
        issue(database, worker, item_id, LetterKind.ATERKOPPLING, now, reporter_address=SCHOOL)


def test_missing_data_is_listed_at_once_and_nothing_is_stored(database, worker, profile, now) -> None:
    guardians = (GuardianInput(name="Maria Andersson", relation="mamma"),)
    item_id = register_with_guardians(database, worker, now, guardians)
    advance(database, worker, item_id, Status.PROTECTION_ASSESSED, now=now)
    with pytest.raises(LetterNotPossible) as raised:
        issue(database, worker, item_id, LetterKind.KALLELSE, now)
    assert any("adress" in gap for gap in raised.value.missing)
    assert any("datum" in gap for gap in raised.value.missing)
    assert "Uppgifter saknas" in str(raised.value)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IssuedLetter)) == 0


def test_an_unconfigured_municipality_profile_is_named_as_missing(database, worker, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with pytest.raises(LetterNotPossible, match="kommunens namn"):
        issue(database, worker, item_id, LetterKind.BEKRAFTELSE, now, reporter_address=SCHOOL)


def test_a_child_from_15_can_be_called_on_its_own(database, worker, profile, now) -> None:
    child = (ChildInput(name="Leo Nilsson", personnummer="20100312-2388"),)
    item_id = register_simple(database, worker, now=now, children=child).item_ids[0]
    advance(database, worker, item_id, Status.PROTECTION_ASSESSED, now=now)
    with database.transaction() as session:
        choices = list_recipients(session, worker, item_id, LetterKind.KALLELSE, now=now)
    assert [c.role.value for c in choices] == ["guardian", "child"]
    with database.transaction() as session:
        put_setting(session, "demo", False)
        get_item(session, item_id).child.street, get_item(session, item_id).child.postal_code = "Storgatan 14 B", "784 33"
        get_item(session, item_id).child.city = "Borlänge"
    result = issue(database, worker, item_id, LetterKind.KALLELSE, now, meeting=MEETING, recipient_index=1)
    assert "Vi vill träffa dig" in collapse(text_of(stored_pdf(database, result.letter.id)))


def test_reprint_gives_the_stored_bytes_and_is_audited(database, worker, assistant, profile, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    result = issue(database, worker, item_id, LetterKind.BEKRAFTELSE, now, reporter_address=SCHOOL)
    with database.transaction() as session:
        first = letter_pdf(session, assistant, result.letter.id, now=now)
        second = letter_pdf(session, assistant, result.letter.id, now=now + timedelta(days=30))
        opened = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "letter_opened"))
    assert first == second and hashlib.sha256(first).hexdigest() == result.letter.sha256
    assert opened == 2


def test_a_letter_changed_since_its_preview_is_not_stored(database, worker, profile, admin, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        preview = prepare_letter(session, worker, item_id, LetterKind.BEKRAFTELSE, recipient_index=0,
                                 reporter_address=SCHOOL, now=now).render()
    with database.transaction() as session:
        put_profile(session, admin, ProfileData(**{**PROFILE.__dict__, "phone": "0243-999 99"}))
    with pytest.raises(ConcurrentEdit, match="förhandsgranskade"):
        issue(database, worker, item_id, LetterKind.BEKRAFTELSE, now, reporter_address=SCHOOL,
              expected_sha256=preview.sha256)


def test_demo_database_letters_carry_the_demo_mark(database, worker, profile, now) -> None:
    with database.transaction() as session:
        put_setting(session, "demo", True)
    item_id = register_simple(database, worker, now=now).item_ids[0]
    result = issue(database, worker, item_id, LetterKind.BEKRAFTELSE, now, reporter_address=SCHOOL)
    assert "DEMO" in text_of(stored_pdf(database, result.letter.id)) and result.letter.demo


def test_print_queue_lists_approved_letters_and_marks_them_printed_then_sent(
    database, worker, assistant, profile, now
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    letter = issue(database, worker, item_id, LetterKind.BEKRAFTELSE, now, reporter_address=SCHOOL).letter
    with database.transaction() as session:
        assert [p.id for p in pending_letters(session, assistant, now=now)] == [letter.id]
        with pytest.raises(LetterNotPossible, match="utskrivna"):
            mark_sent(session, assistant, [letter.id], now=now)
    with database.transaction() as session:
        assert mark_printed(session, assistant, [letter.id], now=now).printed == (letter.id,)
        assert pending_letters(session, assistant, now=now) == []
        assert mark_printed(session, worker, [letter.id], now=now).reprinted == (letter.id,)
        mark_sent(session, assistant, [letter.id], now=now)
    with database.transaction() as session:
        [info] = item_letters(session, worker, item_id, now=now)
    assert info.status is LetterStatus.SENT and info.printed_by == "Johan Testsson"


def test_an_assistant_prints_letters_but_cannot_issue_them(database, worker, assistant, profile, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with pytest.raises(PermissionDenied, match="skriva brev"):
        issue(database, assistant, item_id, LetterKind.BEKRAFTELSE, now, reporter_address=SCHOOL)
