"""Anchors make truncation and wholesale re-computation of the audit chain detectable."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from mottagning.audit.anchor import ANCHOR_FILE_SUFFIX, anchor_mac, database_id
from mottagning.audit.chain import GENESIS, event_hash, verify, verify_chain
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import AuditEvent, AuditHead
from mottagning.models.records import AuditAnchor
from tests.core.factories import register_simple
from tests.memory_keyring import MemoryKeyring


def _work(database: Database, actor: Actor, now, times: int = 2) -> None:
    for _ in range(times):
        register_simple(database, actor, now=now)


def _events(connection) -> list:
    return list(connection.execute(text(
        "SELECT id, occurred_at, user_id, actor, action, entity_type, entity_id, child_id, details, "
        "prev_hash, hash FROM audit_events ORDER BY id")))


def _recompute_chain(database: Database) -> None:
    """What an attacker with database access but without the key can do after an edit."""
    with database.transaction() as session:
        prev = GENESIS
        events = session.query(AuditEvent).order_by(AuditEvent.id).all()
        for event in events:
            event.hash = f"{event.id:064d}"  # free the unique hash column first
        session.flush()
        for event in events:
            event.prev_hash = prev
            event.hash = event_hash(
                prev_hash=prev, occurred_at=event.occurred_at, user_id=event.user_id,
                actor=event.actor, action=event.action, entity_type=event.entity_type,
                entity_id=event.entity_id, child_id=event.child_id, details=event.details)
            prev = event.hash
        session.flush()
        session.execute(text("UPDATE audit_head SET last_hash = :h, last_event_id = :i"),
                        {"h": prev, "i": events[-1].id})


def _verify(database: Database):
    with database.transaction() as session:
        return verify(session)


def test_normal_work_is_anchored_and_verifies(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now, times=4)
    result = _verify(database)
    assert result.ok, result.problem
    assert result.anchors_checked >= 1
    with database.engine.connect() as connection:
        anchors = connection.execute(text("SELECT count(*) FROM audit_anchors")).scalar_one()
    # the first anchor is a checkpoint, the newest is kept, the ones between are pruned
    assert anchors == 2


def test_direct_edit_is_named(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[2].id
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    result = _verify(database)
    assert not result.ok and result.first_broken_id == target


def test_deleted_event_is_detected(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[3].id
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": target})
    result = _verify(database)
    assert not result.ok and result.first_broken_id == target + 1


def test_reordered_events_are_detected(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        events = _events(connection)
        a, b = events[1], events[2]
        connection.execute(text("UPDATE audit_events SET action = :x WHERE id = :id"), {"x": b.action, "id": a.id})
        connection.execute(text("UPDATE audit_events SET action = :x WHERE id = :id"), {"x": a.action, "id": b.id})
    assert not _verify(database).ok


def test_truncated_tail_with_a_fixed_head_is_detected(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        events = _events(connection)
        keep = events[-4]
        connection.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": keep.id})
        connection.execute(text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
                           {"i": keep.id, "h": keep.hash})
    with database.transaction() as session:
        assert verify_chain(session).ok  # the chain alone cannot see it
    result = _verify(database)
    assert not result.ok
    assert result.first_broken_id == keep.id + 1
    assert "kortare" in result.problem


def test_recomputed_chain_after_an_edit_is_detected(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[2].id
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    _recompute_chain(database)
    with database.transaction() as session:
        assert verify_chain(session).ok
    result = _verify(database)
    assert not result.ok
    assert "räknats om" in result.problem


def test_recomputed_chain_with_its_anchors_deleted_is_detected(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[2].id
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
        connection.execute(text("DELETE FROM audit_anchors"))
    _recompute_chain(database)
    assert not _verify(database).ok


def test_anchor_forged_without_the_key_is_detected(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[2].id
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    _recompute_chain(database)
    with database.transaction() as session:
        head = session.get(AuditHead, 1)
        for anchor in session.query(AuditAnchor).all():
            anchor.event_id, anchor.head_hash = head.last_event_id, head.last_hash
            anchor.mac = anchor_mac(b"a guessed key", database_id=database_id(session) or "",
                                    event_id=anchor.event_id, head_hash=anchor.head_hash,
                                    created_at=anchor.created_at)
    if database.embedded:
        Path(database.engine.url.database + ANCHOR_FILE_SUFFIX).unlink()
    result = _verify(database)
    assert not result.ok
    assert "utan rätt nyckel" in result.problem


def test_a_missing_key_is_reported_not_ignored(
    database: Database, worker: Actor, now, memory_keyring: MemoryKeyring
) -> None:
    _work(database, worker, now)
    memory_keyring.secrets.clear()
    result = _verify(database)
    assert not result.ok and "nyckeln saknas" in result.problem


def test_anchor_file_catches_a_database_rewritten_from_scratch(database: Database, worker: Actor, now) -> None:
    if not database.embedded:
        pytest.skip("the anchor file belongs to the embedded database")
    _work(database, worker, now)
    path = Path(database.engine.url.database + ANCHOR_FILE_SUFFIX)
    assert path.exists()
    with database.engine.begin() as connection:
        keep = _events(connection)[-4]
        connection.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": keep.id})
        connection.execute(text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
                           {"i": keep.id, "h": keep.hash})
        connection.execute(text("DELETE FROM audit_anchors"))
        connection.execute(text("DELETE FROM settings WHERE key = 'audit.database_id'"))
    result = _verify(database)
    assert not result.ok and "annan databas" in result.problem


def test_cli_verify_exit_codes_and_names_the_broken_event(
    database: Database, worker: Actor, now, capsys, monkeypatch
) -> None:
    _work(database, worker, now)
    monkeypatch.setenv("MOTTAGNING_DB", database.url)
    assert main(["audit", "verify"]) == 0
    assert "Granskningsloggen är hel" in capsys.readouterr().out
    with database.engine.begin() as connection:
        target = _events(connection)[1].id
        connection.execute(text("UPDATE audit_events SET details = '{}' WHERE id = :id"), {"id": target})
    # an edit before the last verified point: only a full verification re-reads it
    assert main(["audit", "verify", "--full"]) == 1
    assert f"händelse {target}" in capsys.readouterr().err


# --- issue 13: deletions must not go unseen -------------------------------------------------


def _delete_anchor_file(database: Database) -> None:
    if database.embedded:
        Path(database.engine.url.database + ANCHOR_FILE_SUFFIX).unlink()


def test_a_rehashed_chain_with_anchors_id_and_anchor_file_deleted_fails(
    database: Database, worker: Actor, now
) -> None:
    """Attack (a): edit, re-hash, delete every anchor, the database id and the anchor file."""
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[2].id
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
        connection.execute(text("DELETE FROM audit_anchors"))
        connection.execute(text("DELETE FROM settings WHERE key = 'audit.database_id'"))
    _recompute_chain(database)
    _delete_anchor_file(database)
    result = _verify(database)
    assert not result.ok and "audit.database_id" in result.problem


def test_events_without_any_anchor_fail(database: Database, worker: Actor, now) -> None:
    _work(database, worker, now)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_anchors"))
    _delete_anchor_file(database)
    result = _verify(database)
    assert not result.ok and "inga ankare" in result.problem


def test_a_missing_anchor_file_on_the_embedded_database_fails(
    database: Database, worker: Actor, now
) -> None:
    """Attack (b): the tail after the last checkpoint, the newest anchor row and the file removed."""
    if not database.embedded:
        pytest.skip("the anchor file belongs to the embedded database")
    _work(database, worker, now)
    with database.engine.begin() as connection:
        events = _events(connection)
        newest = connection.execute(text("SELECT max(id) FROM audit_anchors")).scalar_one()
        kept = connection.execute(text(
            "SELECT event_id FROM audit_anchors WHERE id < :n ORDER BY id DESC LIMIT 1"),
            {"n": newest}).scalar_one()
        keep = next(e for e in events if e.id == kept)
        connection.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": keep.id})
        connection.execute(text("DELETE FROM audit_anchors WHERE id = :n"), {"n": newest})
        connection.execute(text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
                           {"i": keep.id, "h": keep.hash})
    _delete_anchor_file(database)
    result = _verify(database)
    assert not result.ok and "saknas" in result.problem


def test_the_witness_file_catches_a_rollback_with_an_older_anchor_file_put_back(
    database: Database, worker: Actor, now, tmp_path: Path, monkeypatch
) -> None:
    """Attack (c): truncate, put back an older anchor file and its anchor as the only row."""
    witness = tmp_path / "annan-disk" / "vittne.jsonl"
    witness.parent.mkdir()
    monkeypatch.setenv("MOTTAGNING_AUDIT_WITNESS_FILE", str(witness))
    register_simple(database, worker, now=now)
    with database.engine.begin() as connection:
        old = connection.execute(text(
            "SELECT created_at, event_id, head_hash, key_id, checkpoint, mac FROM audit_anchors "
            "ORDER BY id DESC LIMIT 1")).one()
    anchor_path = Path(database.engine.url.database + ANCHOR_FILE_SUFFIX) if database.embedded else None
    old_file = anchor_path.read_bytes() if anchor_path else None
    _work(database, worker, now)
    assert _verify(database).ok
    assert len(witness.read_text(encoding="utf-8").splitlines()) >= 3
    assert oct(witness.stat().st_mode & 0o777) == "0o600"
    with database.engine.begin() as connection:
        keep = next(e for e in _events(connection) if e.id == old.event_id)
        connection.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": keep.id})
        connection.execute(text("DELETE FROM audit_anchors"))
        connection.execute(text(
            "INSERT INTO audit_anchors (created_at, event_id, head_hash, key_id, checkpoint, mac) "
            "VALUES (:created_at, :event_id, :head_hash, :key_id, :checkpoint, :mac)"), old._asdict())
        connection.execute(text("UPDATE audit_head SET last_event_id = :i, last_hash = :h"),
                           {"i": keep.id, "h": keep.hash})
    if anchor_path is not None:
        anchor_path.write_bytes(old_file)
    result = _verify(database)
    assert not result.ok and "vittnesfilen" in result.problem


def test_anchors_are_told_to_the_system_log(
    database: Database, worker: Actor, now, monkeypatch, caplog
) -> None:
    monkeypatch.setenv("MOTTAGNING_AUDIT_SYSLOG", "1")
    with caplog.at_level("INFO", logger="mottagning.audit.witness"):
        register_simple(database, worker, now=now)
    lines = [r.getMessage() for r in caplog.records if r.name == "mottagning.audit.witness"]
    with database.transaction() as session:
        db_id = database_id(session)
    assert lines and db_id in lines[-1] and '"mac":' in lines[-1]


def test_restore_refuses_a_copy_whose_rehashed_chain_does_not_match_its_anchors(
    database: Database, worker: Actor, admin: Actor, now, tmp_path: Path
) -> None:
    from mottagning.db.backup import backup_database, restore_database
    from mottagning.errors import MottagningError

    if not database.embedded:
        pytest.skip("backup and restore of the embedded database")
    _work(database, worker, now)
    with database.engine.begin() as connection:
        target = _events(connection)[2].id
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :id"), {"id": target})
    _recompute_chain(database)
    backup_database(database, admin, tmp_path / "kopia.mbak", now=now)
    with pytest.raises(MottagningError, match="inte hel"):
        restore_database(tmp_path / "kopia.mbak", f"sqlite:///{tmp_path / 'ny.db'}", now=now)
    assert not (tmp_path / "ny.db").exists()


def test_an_older_anchor_file_put_back_fails(database: Database, worker: Actor, now) -> None:
    if not database.embedded:
        pytest.skip("the anchor file belongs to the embedded database")
    register_simple(database, worker, now=now)
    path = Path(database.engine.url.database + ANCHOR_FILE_SUFFIX)
    older = path.read_bytes()
    _work(database, worker, now)
    path.write_bytes(older)
    result = _verify(database)
    assert not result.ok and "äldre" in result.problem
