"""The audit trail is a hash chain: any direct edit, deletion or reordering is detected."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from mottagning.audit.chain import record, verify_chain
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import AuditEvent
from tests.core.factories import register_simple


def test_chain_verifies_after_normal_work(database: Database, worker: Actor, now) -> None:
    register_simple(database, worker, now=now)
    with database.transaction() as session:
        result = verify_chain(session)
    assert result.ok and result.events_checked >= 3


def test_direct_edit_of_an_event_is_detected_and_named(database: Database, worker: Actor, now) -> None:
    register_simple(database, worker, now=now)
    with database.transaction() as session:
        target = session.execute(select(AuditEvent).order_by(AuditEvent.id).offset(1).limit(1)).scalar_one()
        target_id = target.id
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target_id})
    with database.transaction() as session:
        result = verify_chain(session)
    assert not result.ok
    assert result.first_broken_id == target_id


def test_deleted_event_is_detected(database: Database, worker: Actor, now) -> None:
    register_simple(database, worker, now=now)
    with database.engine.begin() as connection:
        first = connection.execute(text("SELECT min(id) + 1 FROM audit_events")).scalar_one()
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": first})
    with database.transaction() as session:
        assert not verify_chain(session).ok


def test_truncated_tail_is_detected(database: Database, worker: Actor, now) -> None:
    register_simple(database, worker, now=now)
    with database.engine.begin() as connection:
        last = connection.execute(text("SELECT max(id) FROM audit_events")).scalar_one()
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last})
    with database.transaction() as session:
        assert not verify_chain(session).ok


def test_reordered_events_are_detected(database: Database, worker: Actor, now) -> None:
    register_simple(database, worker, now=now)
    with database.engine.begin() as connection:
        ids = [r[0] for r in connection.execute(text("SELECT id FROM audit_events ORDER BY id"))]
        a, b = ids[0], ids[1]
        connection.execute(text("UPDATE audit_events SET id = -1 WHERE id = :a"), {"a": a})
        connection.execute(text("UPDATE audit_events SET id = :a WHERE id = :b"), {"a": a, "b": b})
        connection.execute(text("UPDATE audit_events SET id = :b WHERE id = -1"), {"b": b})
    with database.transaction() as session:
        assert not verify_chain(session).ok


def test_concurrent_writers_never_fork_the_chain(database: Database, worker: Actor) -> None:
    errors: list[BaseException] = []
    with database.transaction() as session:
        before = verify_chain(session).events_checked

    def write(n: int) -> None:
        try:
            for i in range(10):
                with database.transaction() as session:
                    record(session, actor=worker.username, user_id=worker.user_id,
                           action="test_event", details={"writer": n, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.transaction() as session:
        result = verify_chain(session)
        prev_hashes = session.execute(select(AuditEvent.prev_hash)).scalars().all()
    assert result.ok and result.events_checked == before + 40
    assert len(prev_hashes) == len(set(prev_hashes))
