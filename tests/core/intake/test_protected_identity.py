"""Protected identity belongs to the person: every report and letter about them at once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.intake.importer import Importer
from mottagning.intake.protected_identity import mark_protected_identity
from mottagning.intake.reports import GuardianInput
from mottagning.letters.model import LetterKind
from mottagning.letters.service import LetterNotPossible
from mottagning.models import AuditEvent, Child, Guardian
from mottagning.queue.listing import open_item
from mottagning.rules.status import Status
from tests.core.letters.test_letters_service import (
    MEETING,
    PROFILE,
    advance,
    collapse,
    issue,
    register_with_guardians,
    stored_pdf,
    text_of,
)


@pytest.fixture
def profile(database: Database, admin: Actor) -> None:
    from mottagning.letters.profile import put_profile

    with database.transaction() as session:
        put_profile(session, admin, PROFILE)


MOTHER = GuardianInput(name="Lina Berg", personnummer="19850101-0005", relation="mamma",
                       street="Hemliga vägen 9", postal_code="784 40", city="Borlänge")


def _guardian_rows(database: Database) -> list[Guardian]:
    with database.transaction() as session:
        rows = session.execute(select(Guardian).order_by(Guardian.id)).scalars().all()
        session.expunge_all()
        return list(rows)


def _kallelse_text(database: Database, worker: Actor, item_id: int, now) -> tuple[str, bool]:
    result = issue(database, worker, item_id, LetterKind.KALLELSE, now, meeting=MEETING)
    return collapse(text_of(stored_pdf(database, result.letter.id))), result.letter.protected_recipient


def test_a_guardian_later_reported_as_protected_gets_no_address_on_the_older_report(
    database, worker, profile, now
) -> None:
    older = register_with_guardians(database, worker, now, (MOTHER,))
    advance(database, worker, older, Status.PROTECTION_ASSESSED, now=now)
    protected = GuardianInput(**{**MOTHER.__dict__, "protected_identity": True})
    register_with_guardians(database, worker, now + timedelta(hours=1), (protected,))
    assert all(g.protected_identity and g.street is None and g.city is None
               for g in _guardian_rows(database))
    text, via_skatteverket = _kallelse_text(database, worker, older, now)
    assert "Hemliga vägen" not in text and "784 40" not in text
    assert "c/o Skatteverket" in text and via_skatteverket


def test_a_new_report_about_a_protected_guardian_never_stores_the_address(
    database, worker, now
) -> None:
    protected = GuardianInput(**{**MOTHER.__dict__, "protected_identity": True})
    register_with_guardians(database, worker, now, (protected,))
    register_with_guardians(database, worker, now + timedelta(hours=1), (MOTHER,))  # not said again
    rows = _guardian_rows(database)
    assert len(rows) == 2 and all(g.protected_identity and g.street is None for g in rows)


def test_marking_a_guardian_protected_by_hand_covers_every_report_and_is_audited(
    database, worker, assistant, profile, now
) -> None:
    without_number = GuardianInput(name="Per Berg", relation="pappa", street="Falugatan 3",
                                   postal_code="791 71", city="Falun")
    first = register_with_guardians(database, worker, now, (without_number,))
    second = register_with_guardians(database, worker, now + timedelta(hours=1), (without_number,))
    first_row = _guardian_rows(database)[0]
    with database.transaction() as session, pytest.raises(PermissionDenied):
        mark_protected_identity(session, assistant, guardian_id=first_row.id, now=now)
    with database.transaction() as session:
        result = mark_protected_identity(session, worker, guardian_id=first_row.id, now=now)
    assert len(result.guardian_ids) == 2
    assert all(g.protected_identity and g.street is None for g in _guardian_rows(database))
    with database.transaction() as session:
        detail = open_item(session, worker, second, now=now)
        assert [g.address for g in detail.guardians] == [None]
        events = session.execute(select(AuditEvent).where(
            AuditEvent.action == "protected_identity_marked")).scalars().all()
        assert events and "Falugatan" not in str([e.details for e in events])
    advance(database, worker, first, Status.PROTECTION_ASSESSED, now=now)
    # Without a personnummer Skatteverket cannot forward it, and the address is gone.
    with pytest.raises(LetterNotPossible, match="Skatteverket"):
        _kallelse_text(database, worker, first, now)


def test_marking_a_child_protected_removes_the_stored_address(database, worker, now) -> None:
    from mottagning.intake.reports import ChildInput
    from tests.core.factories import register_simple

    item_id = register_simple(database, worker, now=now, children=(
        ChildInput(name="Ella Andersson", personnummer="20150312-2382", street="Storgatan 1",
                   postal_code="784 33", city="Borlänge"),)).item_ids[0]
    with database.transaction() as session:
        child_id = open_item(session, worker, item_id, now=now).row.child_id
        mark_protected_identity(session, worker, child_id=child_id, now=now)
    with database.transaction() as session:
        child = session.get(Child, child_id)
        assert child.protected_identity and (child.street, child.postal_code, child.city) == (None,) * 3


def _submission(number: int, *, protected_child: bool | None, protected_guardian: bool | None) -> dict:
    child = {"personnummer": "20150312-2382", "name": "Ella Andersson", "birth_date": None,
             "address": {"street": "Storgatan 1", "postal_code": "784 33", "city": "Borlänge"}}
    guardian = {"name": "Lina Berg", "personnummer": "19850101-0006", "phone": None,
                "address": {"street": "Hemliga vägen 9", "postal_code": "784 40", "city": "Borlänge"},
                "relation": "mamma"}
    if protected_child is not None:
        child["protected_identity"] = protected_child
    if protected_guardian is not None:
        guardian["protected_identity"] = protected_guardian
    return {
        "format": "mottagning.e-tjanst/1", "source": "etjanst-skydd", "sequence": number,
        "submission_id": f"SKYDD-{number}", "submitted_at": "2026-11-20T21:14:03+01:00",
        "reporter": {"category": "skola", "anonymous": False, "name": "Karin Ek"},
        "children": [child], "guardians": [guardian],
        "concern": {"categories": ["forsummelse"], "description": "Oro för Ella."},
    }


def test_the_e_services_protected_identity_field_protects_the_person_and_older_files_stay_valid(
    database: Database, tmp_path: Path, now
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1.json").write_text(json.dumps(_submission(1, protected_child=None,
                                                          protected_guardian=None)), encoding="utf-8")
    summary = Importer(database, inbox, clock=lambda: now).run_once()
    assert summary.registered == 1 and summary.quarantined == 0 and summary.warnings == 0
    assert not _guardian_rows(database)[0].protected_identity
    (inbox / "2.json").write_text(json.dumps(_submission(2, protected_child=True,
                                                          protected_guardian=True)), encoding="utf-8")
    Importer(database, inbox, clock=lambda: now).run_once()
    rows = _guardian_rows(database)
    assert len(rows) == 2 and all(g.protected_identity and g.street is None for g in rows)
    with database.transaction() as session:
        [child] = session.execute(select(Child)).scalars().all()
        assert child.protected_identity and child.street is None
