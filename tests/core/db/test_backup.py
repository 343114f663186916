"""Backup while running, restore into a new database only, both audited and encrypted."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from mottagning.audit.chain import verify_chain
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db import crypto
from mottagning.db.backup import backup_database, restore_database
from mottagning.db.database import Database, engine_key, open_database
from mottagning.db.keys import DbKey
from mottagning.demo import fill_demo
from mottagning.errors import MottagningError, PermissionDenied
from mottagning.models import AuditEvent
from tests.conftest import FIXED_NOW, make_user
from tests.core.db.test_encryption import RecordingPrompts, plaintext_found, secrets_of


@pytest.fixture
def demo(tmp_path: Path) -> Database:
    database = open_database(f"sqlite:///{tmp_path / 'source.db'}")
    with database.transaction() as session:
        fill_demo(session, reports=10, seed=5, now=FIXED_NOW)
    yield database
    database.dispose()


@pytest.fixture
def sysadmin(demo: Database) -> Actor:
    return make_user(demo, "it", ["admin"])


def counts(database: Database) -> dict[str, int]:
    raw = database.engine.raw_connection()
    try:
        return crypto.table_counts(raw.driver_connection)
    finally:
        raw.close()


def test_backup_then_restore_gives_the_same_data_and_a_whole_audit_chain(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    before = counts(demo)
    result = backup_database(demo, sysadmin, tmp_path / "copy.bak", now=FIXED_NOW)
    assert result.rows == sum(before.values()) and result.audit_events == before["audit_events"]
    with demo.transaction() as session:
        last = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert last.action == "backup_created" and last.user_id == sysadmin.user_id
        assert last.details["file"] == str(tmp_path / "copy.bak")

    restored = restore_database(tmp_path / "copy.bak", f"sqlite:///{tmp_path / 'new.db'}",
                                now=FIXED_NOW)
    assert restored.audit.ok and restored.audit.events_checked == before["audit_events"]
    after = counts(restored.database)
    assert after == before | {"audit_events": before["audit_events"] + 1}
    with restored.database.transaction() as session:
        assert verify_chain(session).ok
        last = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert last.action == "backup_restored" and last.details["audit_ok"] is True
    restored.database.dispose()


def test_the_backup_file_contains_no_readable_case_data(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    with demo.transaction() as session:
        needles = secrets_of(session)
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    assert plaintext_found([tmp_path / "copy.bak"], needles) == []
    assert (tmp_path / "copy.bak").stat().st_mode & 0o777 == 0o600


def test_the_backup_opens_with_the_source_databases_recovery_key(
    demo: Database, sysadmin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    recovery = engine_key(demo.engine).recovery_text()
    monkeypatch.delenv("MOTTAGNING_DB_KEY")
    person = RecordingPrompts([recovery])
    restored = restore_database(tmp_path / "copy.bak", f"sqlite:///{tmp_path / 'new.db'}",
                                prompts=person.prompts())
    assert "säkerhetskopian" in person.asked[0]
    # The new database has a key of its own, shown once as its recovery key.
    [(_, new_recovery, _)] = person.shown
    assert DbKey.parse(new_recovery) != DbKey.parse(recovery)
    restored.database.dispose()


def test_restore_into_a_database_that_has_content_is_refused_and_changes_nothing(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    occupied = tmp_path / "occupied.db"
    open_database(f"sqlite:///{occupied}").dispose()
    before = hashlib.sha256(occupied.read_bytes()).hexdigest()
    with pytest.raises(MottagningError, match="finns redan och är inte tom.*ingenting skrivs över"):
        restore_database(tmp_path / "copy.bak", f"sqlite:///{occupied}")
    assert hashlib.sha256(occupied.read_bytes()).hexdigest() == before


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bak"
    garbage.write_bytes(bytes(range(256)) * 64)
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (a)")
    for candidate in (garbage, plain):
        with pytest.raises(MottagningError, match="kan inte läsas som en säkerhetskopia"):
            restore_database(candidate, f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(MottagningError, match="finns inte"):
        restore_database(tmp_path / "missing.bak", f"sqlite:///{tmp_path / 'new.db'}")
    assert not (tmp_path / "new.db").exists()


def test_a_backup_with_the_wrong_key_is_refused(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    with pytest.raises(MottagningError, match="antingen är nyckeln fel"):
        restore_database(tmp_path / "copy.bak", f"sqlite:///{tmp_path / 'new.db'}",
                         key_text=DbKey.generate().hex)
    assert not (tmp_path / "new.db").exists()


def test_a_backup_whose_audit_chain_was_edited_is_refused_unless_accepted(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    with demo.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE audit_events SET actor = 'någon annan' WHERE id = 3")
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    target = f"sqlite:///{tmp_path / 'new.db'}"
    with pytest.raises(MottagningError, match="inte hel.*händelse 3.*Ingenting återställdes"):
        restore_database(tmp_path / "copy.bak", target)
    assert not (tmp_path / "new.db").exists()
    restored = restore_database(tmp_path / "copy.bak", target, allow_broken_audit=True)
    assert not restored.audit.ok and restored.audit.first_broken_id == 3
    with restored.database.transaction() as session:
        last = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert last.details["audit_ok"] is False and last.details["audit_problem"]
    restored.database.dispose()


def test_backup_never_overwrites_and_needs_the_backup_permission(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    existing = tmp_path / "exists.bak"
    existing.write_text("keep me")
    with pytest.raises(MottagningError, match="finns redan"):
        backup_database(demo, sysadmin, existing)
    assert existing.read_text() == "keep me"
    worker = make_user(demo, "lisa", ["worker"])
    with pytest.raises(PermissionDenied, match="säkerhetskopiera"):
        backup_database(demo, worker, tmp_path / "copy.bak")
    assert not (tmp_path / "copy.bak").exists()


def test_backup_of_a_server_database_points_to_pg_dump(sysadmin: Actor, tmp_path: Path) -> None:
    url = "postgresql+psycopg://mottagning@db.example/mottagning"
    server = Database(url, create_engine(url))  # never connects
    with pytest.raises(MottagningError, match="pg_dump"):
        backup_database(server, sysadmin, tmp_path / "copy.bak")
    with pytest.raises(MottagningError, match="pg_restore"):
        restore_database(tmp_path / "copy.bak", url)


def test_backup_and_restore_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", source, "demo", "--reports", "3", "--seed", "2"]) == 0
    assert main(["--db", source, "backup", str(tmp_path / "cli.bak")]) == 0
    assert "Säkerhetskopian är sparad" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(engine_key_of(tmp_path / "cli.db") + "\n"))
    target = f"sqlite:///{tmp_path / 'back.db'}"
    assert main(["restore", str(tmp_path / "cli.bak"), "--db", target, "--key-stdin"]) == 0
    assert "Granskningsloggen är hel" in capsys.readouterr().out
    assert main(["restore", str(tmp_path / "cli.bak"), "--db", target]) == 1
    assert "finns redan" in capsys.readouterr().err


def engine_key_of(path: Path) -> str:
    database = open_database(f"sqlite:///{path}")
    try:
        return engine_key(database.engine).recovery_text()
    finally:
        database.dispose()


def test_db_password_command_keeps_the_server_password_in_the_keyring(
    memory_keyring, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mottagning.db.database import create_db_engine

    url = "postgresql://handlaggare@db.kommun.se:5433/mottagning"
    monkeypatch.setattr("sys.stdin", io.StringIO("hemligt\n"))
    assert main(["--db", url, "db", "password", "--password-stdin"]) == 0
    account = "handlaggare@db.kommun.se:5433/mottagning"
    assert account in capsys.readouterr().out
    assert memory_keyring.secrets["mottagning-postgresql", account] == "hemligt"
    engine = create_db_engine(url)
    assert "hemligt" not in repr(engine.url) and engine.url.password is None
    engine.dispose()


@pytest.mark.parametrize("keep", [0.5, 0.999])
def test_a_truncated_backup_is_called_incomplete_not_a_wrong_key(
    demo: Database, sysadmin: Actor, tmp_path: Path, keep: float,
) -> None:
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    data = (tmp_path / "copy.bak").read_bytes()
    cut = int(len(data) * keep) // 4096 * 4096 if keep == 0.5 else int(len(data) * keep)
    (tmp_path / "cut.bak").write_bytes(data[:cut])
    with pytest.raises(MottagningError, match="inte en fullständig säkerhetskopia"):
        restore_database(tmp_path / "cut.bak", f"sqlite:///{tmp_path / 'new.db'}")
    assert not (tmp_path / "new.db").exists()


def test_the_backup_event_is_recorded_before_the_copy_is_published(
    demo: Database, sysadmin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mottagning.db import backup as backup_module

    real_publish = backup_module._publish

    def publish_then_killed(work: Path, target: Path) -> None:
        real_publish(work, target)
        raise SystemExit("killed right after publishing")

    monkeypatch.setattr(backup_module, "_publish", publish_then_killed)
    with pytest.raises(SystemExit):
        backup_database(demo, sysadmin, tmp_path / "copy.bak")
    assert (tmp_path / "copy.bak").exists()
    with demo.transaction() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "backup_created" in actions


def test_leftover_work_files_of_a_killed_backup_are_removed_on_the_next_run(
    demo: Database, sysadmin: Actor, tmp_path: Path,
) -> None:
    import os
    import time

    leftover = tmp_path / ".gammal.bak.skrivs"
    leftover.write_bytes(b"half an encrypted copy")
    old = time.time() - 2 * 3600
    os.utime(leftover, (old, old))
    backup_database(demo, sysadmin, tmp_path / "copy.bak")
    assert not leftover.exists()
