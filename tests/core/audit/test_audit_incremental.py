"""Incremental `audit verify`: after a successful verification the next one reads only the
events from the verified point on, and still finds what happens after that point and any
re-computation of the chain across it; an edit before the point is found by a full one
(docs/security.md, "Incremental verification")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from mottagning.audit.verification import (
    POINT_SETTING,
    AuditVerification,
    VerifiedPoint,
    record_verified,
    verify_audit,
)
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import AuditEvent, Setting
from tests.core.audit.test_audit_anchor import _recompute_chain
from tests.core.decision_helpers import item_in_assessment, propose, sign
from tests.core.factories import register_simple


def _verify(database: Database, *, now: datetime, full: bool = False,
            record: bool = True) -> tuple[AuditVerification, VerifiedPoint | None]:
    with database.transaction() as session:
        verification = verify_audit(session, full=full, now=now)
        point = (record_verified(session, verification, actor="kontroll", user_id=None, now=now)
                 if record else None)
    return verification, point


def _event_ids(database: Database) -> list[int]:
    with database.engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars())


def _verified_once(database: Database, worker: Actor, now: datetime) -> VerifiedPoint:
    register_simple(database, worker, now=now)
    first, point = _verify(database, now=now)
    assert first.ok and first.full and point is not None
    return point


def test_the_second_verification_reads_only_the_new_events(
    database: Database, worker: Actor, now: datetime
) -> None:
    point = _verified_once(database, worker, now)
    before = len(_event_ids(database))  # with the verification's own event
    register_simple(database, worker, now=now)
    new_events = len(_event_ids(database)) - before
    assert new_events >= 2
    second, _ = _verify(database, now=now + timedelta(minutes=5))
    assert second.ok and not second.full
    assert second.previous == point and second.chain.from_event_id == point.event_id
    # the new work and the first verification's own audit event, nothing before
    assert second.chain.events_checked == new_events + 1
    assert second.chain.last_event_id == _event_ids(database)[-1] - 1


def test_an_edit_after_the_verified_point_is_found(
    database: Database, worker: Actor, now: datetime
) -> None:
    point = _verified_once(database, worker, now)
    register_simple(database, worker, now=now)
    target = [i for i in _event_ids(database) if i > point.event_id][1]
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    result, _ = _verify(database, now=now, record=False)
    assert not result.ok and not result.full
    assert result.chain.first_broken_id == target


def test_an_edit_before_the_point_is_found_by_a_full_verification_only(
    database: Database, worker: Actor, now: datetime
) -> None:
    point = _verified_once(database, worker, now)
    target = _event_ids(database)[1]
    assert target < point.event_id
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    incremental, _ = _verify(database, now=now, record=False)
    assert incremental.ok  # the documented limit: the stretch before the point is not re-read
    full, _ = _verify(database, now=now, full=True, record=False)
    assert not full.ok and full.chain.first_broken_id == target


def test_a_chain_recomputed_across_the_point_is_found_incrementally(
    database: Database, worker: Actor, now: datetime
) -> None:
    _verified_once(database, worker, now)
    target = _event_ids(database)[1]
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    _recompute_chain(database)
    result, _ = _verify(database, now=now, record=False)
    assert not result.ok and not result.full
    assert "räknats om" in result.chain.problem


def test_deleting_the_points_event_or_the_tail_after_it_is_found(
    database: Database, worker: Actor, now: datetime
) -> None:
    point = _verified_once(database, worker, now)
    register_simple(database, worker, now=now)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": point.event_id})
        connection.execute(text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
                           {"i": point.event_id - 1, "h": "0" * 64})
    result, _ = _verify(database, now=now, record=False)
    assert not result.ok and result.chain.first_broken_id == point.event_id
    assert "tagits bort" in result.chain.problem


def test_a_truncated_tail_after_the_point_is_found_by_the_anchors(
    database: Database, worker: Actor, now: datetime
) -> None:
    point = _verified_once(database, worker, now)
    for _ in range(2):
        register_simple(database, worker, now=now)
    with database.engine.begin() as connection:
        keep_id, keep_hash = connection.execute(text(
            "SELECT id, hash FROM audit_events WHERE id > :p ORDER BY id LIMIT 1 OFFSET 2"),
            {"p": point.event_id}).one()
        connection.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": keep_id})
        connection.execute(text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
                           {"i": keep_id, "h": keep_hash})
    result, _ = _verify(database, now=now, record=False)
    assert not result.ok and "kortare" in result.chain.problem


def test_a_point_changed_in_the_database_is_refused(
    database: Database, worker: Actor, now: datetime
) -> None:
    _verified_once(database, worker, now)
    register_simple(database, worker, now=now)
    with database.transaction() as session:
        row = session.get(Setting, POINT_SETTING)
        stored = dict(row.value["value"])
        head = session.execute(select(func.max(AuditEvent.id))).scalar_one()
        stored["event_id"] = head  # skip the new events
        stored["hash"] = session.execute(
            select(AuditEvent.hash).where(AuditEvent.id == head)).scalar_one()
        row.value = {"value": stored}
    result, _ = _verify(database, now=now, record=False)
    assert not result.ok and "utan rätt nyckel" in result.chain.problem
    assert _verify(database, now=now, full=True, record=False)[0].ok


def test_without_a_point_and_after_the_full_interval_the_verification_is_full(
    database: Database, worker: Actor, now: datetime
) -> None:
    _verified_once(database, worker, now)
    assert not _verify(database, now=now + timedelta(days=1))[0].full
    eight_days_later = now + timedelta(days=8)
    late, point = _verify(database, now=eight_days_later)
    assert late.ok and late.full  # audit_full_verify_days is 7 by default
    assert point is not None and point.full_at == eight_days_later
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM settings WHERE key = :k"), {"k": POINT_SETTING})
    again, _ = _verify(database, now=eight_days_later)
    assert again.ok and again.full and again.chain.from_event_id == 1


def test_a_decision_signed_after_the_point_is_checked_incrementally(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    _verify(database, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    sign(database, senior, decision_id, now=now)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE decisions SET motivation = 'Annat' WHERE id = :id"),
                           {"id": decision_id})
    result, _ = _verify(database, now=now, record=False)
    assert result.chain.ok and not result.full
    assert result.decisions is not None and not result.decisions.ok
    assert f"beslut {decision_id} har ändrats" in result.decisions.problems[0]


def test_a_new_decision_marked_signed_without_a_signature_is_found_incrementally(
    database: Database, worker: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    _verify(database, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE decisions SET status = 'signed' WHERE id = :id"),
                           {"id": decision_id})
    result, _ = _verify(database, now=now, record=False)
    assert result.chain.ok and not result.full and not result.ok
    assert result.decisions.problems == (
        f"beslut {decision_id} är markerat som signerat utan signaturhändelse i loggen",)


def test_cli_verifies_incrementally_and_in_full_and_audits_each_verification(
    database: Database, worker: Actor, now: datetime, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    register_simple(database, worker, now=now)
    monkeypatch.setenv("MOTTAGNING_DB", database.url)
    assert main(["audit", "verify"]) == 0
    assert "hela loggen." in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "1 händelser kontrollerade" in (out := capsys.readouterr().out)
    assert "nya händelser sedan kontrollen" in out and "--full" in out
    assert main(["audit", "verify", "--full"]) == 0
    assert "hela loggen." in capsys.readouterr().out
    with database.engine.connect() as connection:
        audited = connection.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'audit_verified'")).scalar_one()
    assert audited == 3
