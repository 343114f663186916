"""The decision's deadline, its extension, the overrun, corrections and tamper detection."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from mottagning.access.auth import hash_password
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.extensions import (
    extension_phrase,
    request_extension,
    sign_extension,
)
from mottagning.decisions.integrity import verify_signed_decisions
from mottagning.decisions.proposals import ProposalInput, propose_correction, propose_decision
from mottagning.decisions.views import list_decisions
from mottagning.errors import InvalidTransition, PermissionDenied, ValidationError
from mottagning.models import QueueItem, User
from mottagning.models.decisions import Decision
from tests.conftest import make_user
from tests.core.decision_helpers import OPENED, item_in_assessment, propose, sign

STHLM = ZoneInfo("Europe/Stockholm")


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STHLM).astimezone(UTC)


def _item_received(database: Database, actor: Actor, received: datetime) -> int:
    return item_in_assessment(database, actor, now=received, offset=timedelta(0))


def _due(database: Database, item_id: int) -> tuple[datetime, datetime | None]:
    with database.transaction() as session:
        item = session.get(QueueItem, item_id)
        return item.decision_due.astimezone(STHLM), item.decision_due_extended


def test_received_2359_on_31_october_is_due_at_the_end_of_14_november(
    database: Database, worker: Actor, senior: Actor
) -> None:
    item_id = _item_received(database, worker, _local(2026, 10, 31, 23, 59))
    due, _ = _due(database, item_id)
    assert due == datetime(2026, 11, 14, 23, 59, 59, tzinfo=STHLM)
    # One minute before the end of the day is in time; one second after midnight is late.
    decision_id = propose(database, worker, item_id, now=_local(2026, 11, 14, 23, 58))
    sign(database, senior, decision_id, now=_local(2026, 11, 15, 0, 0, 1),
         overrun_reason="Granskaren var sjuk.")
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.overdue_at_signing and decision.status == "signed"


def test_a_decision_proposed_in_time_but_signed_late_records_the_signers_reason(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, offset=timedelta(days=10))
    decision_id = propose(database, worker, item_id, now=now)
    late = now + timedelta(days=6)
    with pytest.raises(ValidationError, match="orsaken"):
        sign(database, senior, decision_id, now=late)
    with database.transaction() as session:
        assert session.get(Decision, decision_id).status == "awaiting"
    sign(database, senior, decision_id, now=late, overrun_reason="Granskaren var sjuk i en vecka.")
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.overdue_at_signing
        assert decision.overrun_reason == "Granskaren var sjuk i en vecka."
        event = session.execute(text(
            "SELECT id FROM audit_events WHERE action = 'decision_signed'")).first()
        assert event is not None


def test_a_decision_signed_in_time_needs_no_overrun_reason(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, offset=timedelta(days=10))
    decision_id = propose(database, worker, item_id, now=now)
    sign(database, senior, decision_id, now=now + timedelta(days=1))
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert not decision.overdue_at_signing and decision.overrun_reason is None


def test_an_extension_cannot_be_requested_after_the_deadline_and_the_overrun_stands(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, offset=timedelta(days=20))
    with database.transaction() as session, pytest.raises(InvalidTransition, match="innan den har gått ut"):
        request_extension(session, worker, item_id, reason="Barnet vårdas på sjukhus.",
                          new_date=(now + timedelta(days=10)).date(), now=now)
    assert _due(database, item_id)[1] is None
    with database.transaction() as session, pytest.raises(ValidationError, match="orsaken"):
        propose_decision(session, worker, item_id, OPENED, now=now)


def test_an_extension_requested_in_time_cannot_be_signed_after_the_deadline(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, offset=timedelta(days=13))
    with database.transaction() as session:
        extension_id = request_extension(
            session, worker, item_id, reason="Barnet vårdas på sjukhus.",
            new_date=(now + timedelta(days=10)).date(), now=now).extension_id
    new_date = (now + timedelta(days=10)).date()
    with database.transaction() as session, pytest.raises(InvalidTransition, match="gick ut"):
        sign_extension(session, senior, extension_id, secret=extension_phrase(new_date),
                       expected_version=1, now=now + timedelta(days=3))
    assert _due(database, item_id)[1] is None
    with database.transaction() as session:
        sign_extension(session, senior, extension_id, secret=extension_phrase(new_date),
                       expected_version=1, now=now)
    assert _due(database, item_id)[1] is not None


def test_dst_end_does_not_shift_the_local_end_of_day(database: Database, worker: Actor) -> None:
    item_id = _item_received(database, worker, _local(2026, 10, 20, 10, 0))  # DST ends 25 Oct
    due, _ = _due(database, item_id)
    assert due == datetime(2026, 11, 3, 23, 59, 59, tzinfo=STHLM)
    assert due.utcoffset() == timedelta(hours=1)


def test_leap_day_receipt_and_an_extension_across_month_end(
    database: Database, worker: Actor, senior: Actor
) -> None:
    received = _local(2028, 2, 29, 9, 0)
    item_id = _item_received(database, worker, received)
    assert _due(database, item_id)[0].date() == date(2028, 3, 14)
    with database.transaction() as session, pytest.raises(ValidationError, match="synnerliga skälen"):
        request_extension(session, worker, item_id, reason=" ", new_date=date(2028, 4, 2), now=received)
    with database.transaction() as session:
        extension_id = request_extension(
            session, senior, item_id, reason="Barnet vårdas på sjukhus.", new_date=date(2028, 4, 2),
            now=received,
        ).extension_id
    with database.transaction() as session, pytest.raises(PermissionDenied, match="egen begäran"):
        sign_extension(session, senior, extension_id, secret="x", expected_version=1, now=received)
    reviewer = make_user(database, "lena", ["senior"])
    with database.transaction() as session, pytest.raises(PermissionDenied, match="Skriv ”Jag signerar"):
        sign_extension(session, reviewer, extension_id, secret="ja", expected_version=1, now=received)
    assert extension_phrase(date(2028, 4, 2)).endswith("till 2 april 2028")
    with database.transaction() as session:
        sign_extension(session, reviewer, extension_id, secret=extension_phrase(date(2028, 4, 2)),
                       expected_version=1, now=received)
    original, extended = _due(database, item_id)
    assert original.date() == date(2028, 3, 14)  # the original date stays visible
    assert extended.astimezone(STHLM) == datetime(2028, 4, 2, 23, 59, 59, tzinfo=STHLM)
    # Within the extended time no overrun reason is asked for.
    propose(database, worker, item_id, now=_local(2028, 3, 30, 10, 0))


def test_a_late_decision_is_never_refused_but_the_reason_is_recorded(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, offset=timedelta(days=20))
    with database.transaction() as session, pytest.raises(ValidationError, match="orsaken"):
        propose_decision(session, worker, item_id, OPENED, now=now)
    late = ProposalInput(**{**OPENED.__dict__, "overrun_reason": "Vårdnadshavarna nåddes först i dag."})
    decision_id = propose(database, worker, item_id, late, now=now)
    sign(database, senior, decision_id, now=now)
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.overdue_at_signing
        assert decision.overrun_reason == "Vårdnadshavarna nåddes först i dag."
        assert list_decisions(session, senior)[0].overdue(now)


def test_a_direct_edit_of_a_signed_decision_is_caught_by_audit_verify(
    database: Database, worker: Actor, senior: Actor, now: datetime, capsys: pytest.CaptureFixture[str],
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    sign(database, senior, decision_id, now=now)
    assert main(["--db", database.url, "audit", "verify"]) == 0
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE decisions SET outcome = 'inte_inleda_utredning' WHERE id = :id"),
                           {"id": decision_id})
    with database.transaction() as session:
        check = verify_signed_decisions(session)
    assert not check.ok and f"beslut {decision_id} har ändrats" in check.problems[0]
    capsys.readouterr()
    # signed before the last verified point: a full verification re-reads it
    assert main(["--db", database.url, "audit", "verify", "--full"]) == 1
    assert "Signerat beslut stämmer INTE" in capsys.readouterr().err


def test_a_correction_is_a_new_linked_decision_signed_again(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    first = propose(database, worker, item_id, now=now)
    sign(database, senior, first, now=now)
    corrected = ProposalInput(outcome="tillfors_pagaende_utredning", motivation="Utredning pågår redan.",
                              ongoing_investigation="Utredning från oktober")
    with database.transaction() as session, pytest.raises(ValidationError, match="skälet"):
        propose_correction(session, worker, first, corrected, reason="", now=now)
    with database.transaction() as session:
        second = propose_correction(session, worker, first, corrected, reason="Fel utfall valdes.",
                                    now=now).decision_id
    sign(database, senior, second, now=now)
    with database.transaction() as session:
        old, new = session.get(Decision, first), session.get(Decision, second)
        assert (old.status, old.outcome) == ("signed", "inleda_utredning")
        assert new.corrects_decision_id == first and new.correction_reason == "Fel utfall valdes."
        assert session.get(QueueItem, item_id).outcome == "tillfors_pagaende_utredning"
        assert verify_signed_decisions(session).ok


def test_decisions_cli_json_names_proposer_and_signer(
    database: Database, worker: Actor, senior: Actor, now: datetime, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    sign(database, senior, propose(database, worker, item_id, now=now), now=now)
    reader = make_user(database, "lasare", ["worker"])
    with database.transaction() as session:
        session.get(User, reader.user_id).password_hash = hash_password("Läsa-beslut-2026")
    monkeypatch.setattr("sys.stdin", io.StringIO("Läsa-beslut-2026\n"))
    capsys.readouterr()
    assert main(["--db", database.url, "--user", "lasare", "--password-stdin",
                 "decisions", "--json", "--status", "signed"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["proposed_by"] == "Anna Testsson" and entry["signed_by"] == "Maria Testsson"
    assert entry["status"] == "signed" and entry["overdue"] is False
    assert entry["decision_due"].endswith("+01:00") and entry["signed_at"].endswith("+01:00")
