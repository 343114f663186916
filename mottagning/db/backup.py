"""Backup and restore of the embedded database (a PostgreSQL server uses pg_dump/pg_restore).

A backup is a SQLCipher copy of the whole database, made from one read snapshot while the
program keeps running, and encrypted with the database's own key: the recovery key shown
when the database was created opens the database and every backup of it. Restore writes
only into a new database (nothing is ever overwritten), which gets a key of its own, and
checks the audit chain before the copy is accepted. Both are audit events.

These functions own their transactions: the copy must be read outside any write
transaction, and the audit event is written only once the copy is complete.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import select

from mottagning.access.users import current_os_account
from mottagning.audit import chain as audit
from mottagning.audit.chain import VerifyResult, verify
from mottagning.context import Actor
from mottagning.db import crypto, keys
from mottagning.db.database import (
    Database,
    engine_key,
    is_embedded,
    open_database,
    resolve_url,
    sqlite_file,
)
from mottagning.db.keys import DbKey, KeyPrompts
from mottagning.errors import DatabaseError, MottagningError
from mottagning.models import User
from mottagning.rules.permissions import Action

PG_BACKUP_SV = (
    "Databasen är en PostgreSQL-server. Säkerhetskopiera den med PostgreSQL:s egna verktyg: "
    "pg_dump -Fc -f mottagning.dump <adress> och återställ med pg_restore -d <ny tom databas> "
    "mottagning.dump (se README, avsnittet om databasen)."
)
INCOMPLETE_BACKUP_SV = (
    "Filen {path} är inte en fullständig säkerhetskopia (den är avkortad eller skadad, "
    "till exempel av en avbruten kopiering). Använd en annan säkerhetskopia. Ingenting har ändrats."
)
# SQLCipher writes whole pages; its page sizes are powers of two of at least 512 bytes.
_SMALLEST_PAGE = 512
NOT_A_BACKUP_SV = (
    "Filen {path} kan inte läsas som en säkerhetskopia från Mottagning: antingen är nyckeln "
    "fel eller så är filen ingen säkerhetskopia. Ingenting har ändrats."
)


@dataclass(frozen=True)
class BackupResult:
    file: Path
    rows: int
    audit_events: int


@dataclass(frozen=True)
class RestoreResult:
    database: Database
    rows: int
    audit: VerifyResult


def backup_database(
    database: Database, actor: Actor, target: Path, *, now: datetime | None = None,
) -> BackupResult:
    """Copy the open embedded database to the new file `target`, encrypted with its key."""
    actor.require(Action.BACKUP)
    key = engine_key(database.engine)
    source_file = database.file
    if source_file is None:
        raise MottagningError(PG_BACKUP_SV)
    if key is None:
        raise MottagningError("Databasen finns bara i minnet och kan inte säkerhetskopieras.")
    target = Path(target).expanduser().resolve()
    _claim_new_file(target, "Säkerhetskopian")
    _remove_stale_work_files(target.parent)
    work = target.with_name(f".{target.name}.skrivs")
    work.unlink(missing_ok=True)
    raw = database.engine.raw_connection()
    try:
        crypto.export(raw.driver_connection, work, key)
        counts = _verified_counts(work, key)
        result = BackupResult(target, sum(counts.values()), counts.get("audit_events", 0))
        # Recorded before the copy gets its name: a backup killed right after publishing
        # still has its event (a copy of the whole database is a read of every case).
        with database.transaction() as session:
            audit.record(
                session, actor=actor.username, user_id=actor.user_id, action="backup_created",
                entity_type="database",
                details={"file": str(target), "rows": result.rows,
                         "audit_events": result.audit_events},
                now=now,
            )
        _publish(work, target)
    except sqlcipher.Error as exc:
        raise DatabaseError(f"Säkerhetskopian kunde inte skrivas till {target}: {exc}.") from exc
    finally:
        work.unlink(missing_ok=True)
        raw.close()
    if keys.stored_key(source_file) == key:
        # The same secret the keyring already holds, so a restore here needs no typing.
        keys.store_key(target, key)
    return result


STALE_WORK_AFTER_SECONDS = 3600


def _remove_stale_work_files(folder: Path) -> None:
    """Remove `.NAME.skrivs` files a killed backup left (an encrypted partial copy); a
    backup still writing one touched it within the hour."""
    limit = time.time() - STALE_WORK_AFTER_SECONDS
    for leftover in folder.glob(".*.skrivs"):
        try:
            if leftover.is_file() and not leftover.is_symlink() and leftover.stat().st_mtime < limit:
                leftover.unlink()
        except OSError:
            continue


def restore_database(
    source: Path, target_url: str | None = None, *, key_text: str | None = None,
    prompts: KeyPrompts | None = None, allow_broken_audit: bool = False,
    now: datetime | None = None,
) -> RestoreResult:
    """Restore the backup `source` into a new, empty embedded database at `target_url`.

    The backup's key: `key_text`, else MOTTAGNING_DB_KEY, the keyring or `prompts`. A
    broken audit chain in the copy is refused (the new file is removed) unless
    `allow_broken_audit`, when the break is recorded in the restored database's log.
    """
    url = resolve_url(target_url)
    if not is_embedded(url):
        raise MottagningError(
            "Återställning till en PostgreSQL-server görs med pg_restore från en pg_dump-fil "
            "(se README). Ange en ny fil med --db sqlite:///SÖKVÄG för en inbyggd databas."
        )
    source = Path(source).expanduser().resolve()
    key = _backup_key(source, key_text, prompts)
    target = sqlite_file(url)
    if target is None:
        raise MottagningError("Ange en fil att återställa till, t.ex. --db sqlite:///ny.db.")
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _claim_new_file(target, "Databasen")
    target_key = keys.key_for_new_file(target, prompts)
    work = target.with_name(f".{target.name}.återställs")
    work.unlink(missing_ok=True)
    connection = crypto.connect(source, key)
    try:
        crypto.export(connection, work, target_key)
        _publish(work, target)
    except sqlcipher.DatabaseError as exc:
        # The key opened the first page, so the rest is missing or damaged.
        raise MottagningError(INCOMPLETE_BACKUP_SV.format(path=source)) from exc
    finally:
        connection.close()
        work.unlink(missing_ok=True)
    target.chmod(0o600)
    try:
        database = open_database(f"sqlite:///{target}", key=target_key)
    except BaseException:
        _remove(target)
        raise
    with database.transaction() as session:
        # The anchors too: a chain re-hashed after an edit verifies by itself. The copy has
        # no anchor file of its own (it lies beside the original).
        chain = verify(session, anchor_file_required=False)
    if not chain.ok and not allow_broken_audit:
        database.dispose()
        _remove(target)
        raise MottagningError(
            f"Granskningsloggen i säkerhetskopian är inte hel (händelse {chain.first_broken_id}: "
            f"{chain.problem}). Ingenting återställdes. Använd en annan säkerhetskopia, eller "
            "återställ ändå med --tillat-bruten-logg efter samråd med systemförvaltaren."
        )
    rows = sum(_verified_counts(target, target_key).values())
    with database.transaction() as session:
        os_account = current_os_account()
        user_id = session.execute(
            select(User.id).where(User.os_account == os_account)).scalar_one_or_none()
        audit.record(
            session, actor=os_account, user_id=user_id, action="backup_restored",
            entity_type="database",
            details={"file": str(source), "rows": rows, "audit_ok": chain.ok,
                     "audit_events_checked": chain.events_checked,
                     "audit_problem": chain.problem},
            now=now,
        )
    return RestoreResult(database, rows, chain)


def _backup_key(source: Path, key_text: str | None, prompts: KeyPrompts | None) -> DbKey:
    try:
        return _opening_key(source, key_text, prompts)
    except MottagningError:
        # A truncated copy is not the key's fault: say so when a key we know fits its start.
        candidates = [DbKey.parse(key_text)] if key_text is not None else [
            key for key in (keys.env_key(), keys.stored_key(source)) if key is not None]
        if any(crypto.damaged_with_right_key(source, key) for key in candidates):
            raise MottagningError(INCOMPLETE_BACKUP_SV.format(path=source)) from None
        raise


def _opening_key(source: Path, key_text: str | None, prompts: KeyPrompts | None) -> DbKey:
    if not source.is_file():
        raise MottagningError(f"Säkerhetskopian {source} finns inte.")
    if source.stat().st_size == 0 or crypto.is_plaintext(source):
        # Backups are always encrypted: an ordinary SQLite file was not made by us.
        raise MottagningError(NOT_A_BACKUP_SV.format(path=source))
    if source.stat().st_size % _SMALLEST_PAGE:
        # Cut short: not the key's fault, and no key would help.
        raise MottagningError(INCOMPLETE_BACKUP_SV.format(path=source))
    if key_text is not None:
        key = DbKey.parse(key_text)
        if crypto.key_opens(source, key) and _is_mottagning(source, key):
            return key
        raise MottagningError(NOT_A_BACKUP_SV.format(path=source))
    try:
        key = keys.key_for_existing_file(
            source, prompts, lambda k: crypto.key_opens(source, k), label="Säkerhetskopian")
    except DatabaseError as exc:
        raise MottagningError(f"{NOT_A_BACKUP_SV.format(path=source)} ({exc})") from exc
    if not _is_mottagning(source, key):
        raise MottagningError(NOT_A_BACKUP_SV.format(path=source))
    return key


def _is_mottagning(path: Path, key: DbKey) -> bool:
    connection = crypto.connect(path, key)
    try:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlcipher.Error:
        return False
    finally:
        connection.close()
    return {"alembic_version", "audit_events", "reports"} <= tables


def _claim_new_file(path: Path, what: str) -> None:
    """Refuse an existing file with content; clear away empty leftovers of one."""
    if not path.parent.is_dir():
        raise MottagningError(f"Mappen {path.parent} finns inte.")
    companions = [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]
    if any(p.exists() and p.stat().st_size > 0 for p in companions[:2]):
        raise MottagningError(
            f"{what} {path} finns redan och är inte tom. Välj ett nytt filnamn; "
            "ingenting skrivs över."
        )
    for companion in companions:
        companion.unlink(missing_ok=True)


def _verified_counts(path: Path, key: DbKey) -> dict[str, int]:
    connection = crypto.connect(path, key)
    try:
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise DatabaseError(f"Kopian {path} är skadad; försök igen.")
        return crypto.table_counts(connection)
    finally:
        connection.close()


def _publish(work: Path, target: Path) -> None:
    """Give the finished file its name, durably, without ever replacing an existing file."""
    fd = os.open(work, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    work.chmod(0o600)
    try:
        os.link(work, target)
    except FileExistsError as exc:
        raise MottagningError(f"{target} finns redan. Välj ett nytt filnamn; ingenting skrivs över.") from exc


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    keys.forget_key(path)
