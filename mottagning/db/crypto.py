"""SQLCipher files: connecting with a key, checking a key, encrypted copies.

The key goes to SQLCipher with `PRAGMA key` on each new connection and never into a URL,
so nothing that logs or shows the database address can leak it.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from mottagning.db.keys import DbKey
from mottagning.errors import DatabaseError

PLAINTEXT_HEADER = b"SQLite format 3\x00"


def connect(path: Path | str, key: DbKey | None, **kwargs) -> sqlcipher.Connection:  # type: ignore[no-untyped-def]
    """A sqlcipher3 connection with the key applied before anything reads the file."""
    connection = sqlcipher.connect(str(path), **kwargs)
    # Wrong keys are reported in Swedish by us; SQLCipher's own log would only add noise.
    connection.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        connection.execute(f'PRAGMA key = "{key.pragma_value()}"')
    return connection


def is_plaintext(path: Path) -> bool:
    """An ordinary (unencrypted) SQLite file: SQLCipher files start with a random salt."""
    with path.open("rb") as handle:
        return handle.read(len(PLAINTEXT_HEADER)) == PLAINTEXT_HEADER


def damaged_with_right_key(path: Path, key: DbKey) -> bool:
    """`key` decrypts the first page, but the file is cut short or damaged further on
    (SQLite says "malformed", where a wrong key gives "file is not a database")."""
    try:
        connection = connect(path, key)
    except sqlcipher.Error:
        return False
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute("PRAGMA quick_check").fetchall()
        return False
    except sqlcipher.DatabaseError as exc:
        return "malformed" in str(exc)
    finally:
        connection.close()


def key_opens(path: Path, key: DbKey) -> bool:
    """Does `key` decrypt `path`? Reads the first page only; writes nothing."""
    try:
        connection = connect(path, key)
    except sqlcipher.Error:
        return False
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        connection.close()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export(source: sqlcipher.Connection, target: Path, key: DbKey) -> None:
    """Copy the whole database behind `source` into the new file `target`, encrypted
    with `key`, from one consistent snapshot (a read transaction: writers are not blocked)."""
    source.isolation_level = None
    source.execute(f'ATTACH DATABASE {_quote(str(target))} AS export KEY "{key.pragma_value()}"')
    try:
        source.execute("BEGIN")
        try:
            source.execute("SELECT sqlcipher_export('export')")
            version = source.execute("PRAGMA main.user_version").fetchone()[0]
            source.execute(f"PRAGMA export.user_version = {int(version)}")
            source.execute("COMMIT")
        except BaseException:
            source.execute("ROLLBACK")
            raise
    finally:
        source.execute("DETACH DATABASE export")


def encrypt_plaintext_file(path: Path, key: DbKey) -> Path:
    """Encrypt an unencrypted database made before encryption existed, in place.

    The original is kept beside it as `<name>.okrypterad` (returned) so nothing can be
    lost; the caller tells the person to check and then delete it. Refuses while another
    program has it open.
    """
    work = path.with_name(path.name + ".krypteras")
    kept = path.with_name(path.name + ".okrypterad")
    if kept.exists():
        raise DatabaseError(
            f"Databasen {path} är inte krypterad, och en tidigare okrypterad kopia {kept} finns "
            "redan. Flytta undan den och försök igen. Ingenting har ändrats."
        )
    work.unlink(missing_ok=True)
    source = connect(path, None, timeout=5)
    try:
        try:
            # Leaving WAL needs an exclusive lock: this merges the WAL into the file and
            # fails while another process has it open (its WAL connection holds a lock).
            mode = source.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlcipher.OperationalError:
            mode = None
        if mode != "delete":
            raise DatabaseError(
                f"Databasen {path} ska krypteras men används av ett annat program. Stäng alla "
                "fönster och program som använder den och försök igen. Ingenting har ändrats."
            )
        tables = table_counts(source)
        export(source, work, key)
    except BaseException:
        work.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    check = connect(work, key)
    try:
        same = table_counts(check) == tables
        intact = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        check.close()
    if not (same and intact):
        work.unlink(missing_ok=True)
        raise DatabaseError(
            f"Databasen {path} kunde inte krypteras (kopian blev inte identisk). "
            "Ingenting har ändrats; kontakta systemförvaltaren."
        )
    os.replace(path, kept)
    os.replace(work, path)
    return kept


def table_counts(connection: sqlcipher.Connection) -> dict[str, int]:
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names}
