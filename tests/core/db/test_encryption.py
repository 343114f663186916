"""The embedded database is encrypted at rest: keys, the keyring, recovery, old plain files."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import create_engine, select

from mottagning.db import keys
from mottagning.db.database import alembic_config, create_db_engine, open_database
from mottagning.db.keys import DbKey, KeyPrompts
from mottagning.demo import DESCRIPTIONS, fill_demo
from mottagning.errors import DatabaseError
from mottagning.models import Child
from tests.conftest import FIXED_NOW, TEST_DB_KEY


class RecordingPrompts:
    """Stands in for the person at the keyboard: answers prompts, remembers what was shown."""

    def __init__(self, answers: list[str | None] | None = None):
        self.answers = list(answers or [])
        self.asked: list[str] = []
        self.shown: list[tuple[Path, str, str]] = []
        self.notices: list[str] = []

    def prompts(self) -> KeyPrompts:
        return KeyPrompts(self._ask, lambda p, k, m: self.shown.append((p, k, m)),
                          self.notices.append)

    def _ask(self, path: Path, message: str) -> str | None:
        self.asked.append(message)
        return self.answers.pop(0) if self.answers else None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def secrets_of(session) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Child names, personnummer and report texts of the demo data, as they would be stored."""
    children = session.execute(select(Child)).scalars().all()
    texts = [c.name for c in children] + [c.personnummer for c in children if c.personnummer]
    texts += [pnr.replace("-", "") for pnr in texts if pnr[:2] in ("19", "20")]
    texts += [d[:40] for d in DESCRIPTIONS.values()]
    return [t.encode("utf-8") for t in texts if len(t) >= 6]


def plaintext_found(files: list[Path], needles: list[bytes]) -> list[str]:
    found = []
    for file in files:
        data = file.read_bytes()
        found += [f"{file.name}: {n!r}" for n in needles if n in data]
    return found


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.ENV_KEY, raising=False)


def test_demo_data_is_unreadable_in_the_database_file_and_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    database = open_database(f"sqlite:///{path}")
    with database.transaction() as session:
        fill_demo(session, reports=12, seed=3, now=FIXED_NOW)
    with database.transaction() as session:
        needles = secrets_of(session)
    assert len(needles) > 20
    wal = path.with_name("demo.db-wal")
    assert wal.stat().st_size > 0  # the data are still in the WAL here
    assert plaintext_found([path, wal, path.with_name("demo.db-shm")], needles) == []
    raw = database.engine.raw_connection()
    raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    assert plaintext_found([path], needles) == []
    database.dispose()
    # The check itself can see plaintext: the same data unencrypted would be found.
    assert not path.read_bytes().startswith(b"SQLite format 3")


def test_wrong_key_is_refused_in_swedish_and_the_file_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "a.db"
    open_database(f"sqlite:///{path}").dispose()
    before = _digest(path)
    monkeypatch.setenv(keys.ENV_KEY, "ab" * 32)
    with pytest.raises(DatabaseError, match="öppnar inte databasen .*Ingenting har ändrats"):
        open_database(f"sqlite:///{path}")
    assert _digest(path) == before


def test_without_keyring_the_key_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring.set_keyring(fail.Keyring())
    url = f"sqlite:///{tmp_path / 'a.db'}"
    open_database(url).dispose()
    open_database(url).dispose()
    monkeypatch.delenv(keys.ENV_KEY)
    with pytest.raises(DatabaseError, match="ingen nyckelring.*MOTTAGNING_DB_KEY"):
        open_database(url)


def test_without_keyring_key_or_prompt_no_database_is_created(
    tmp_path: Path, no_env_key: None,
) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(DatabaseError, match="ingen nyckelring"):
        open_database(f"sqlite:///{tmp_path / 'a.db'}")
    assert not (tmp_path / "a.db").exists()


def test_without_keyring_a_new_key_is_shown_once_and_then_asked_for(
    tmp_path: Path, no_env_key: None,
) -> None:
    keyring.set_keyring(fail.Keyring())
    url = f"sqlite:///{tmp_path / 'a.db'}"
    person = RecordingPrompts()
    open_database(url, prompts=person.prompts()).dispose()
    [(_, recovery, message)] = person.shown
    assert "ingen nyckelring" in message
    person.answers = ["fel", recovery]
    open_database(url, prompts=person.prompts()).dispose()
    assert person.asked[1] == person.asked[1] and "fel form" in person.asked[1]
    assert len(person.shown) == 1


def test_a_new_file_gets_its_own_key_in_the_keyring_and_a_recovery_key_shown_once(
    tmp_path: Path, no_env_key: None, memory_keyring,  # type: ignore[no-untyped-def]
) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    person = RecordingPrompts()
    open_database(f"sqlite:///{first}", prompts=person.prompts()).dispose()
    open_database(f"sqlite:///{second}", prompts=person.prompts()).dispose()
    stored = memory_keyring.secrets
    assert set(stored) == {("mottagning", str(first)), ("mottagning", str(second))}
    assert stored["mottagning", str(first)] != stored["mottagning", str(second)]
    assert [DbKey.parse(k) for _, k, _ in person.shown] == [
        DbKey.parse(stored["mottagning", str(first)]),
        DbKey.parse(stored["mottagning", str(second)])]
    assert "Skriv ut" in person.shown[0][2]
    open_database(f"sqlite:///{first}", prompts=person.prompts()).dispose()
    assert len(person.shown) == 2 and person.asked == []
    assert (first.stat().st_mode & 0o777) == 0o600


def test_the_recovery_key_opens_the_database_after_the_keyring_is_lost(
    tmp_path: Path, no_env_key: None, memory_keyring,  # type: ignore[no-untyped-def]
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    person = RecordingPrompts()
    open_database(url, prompts=person.prompts()).dispose()
    recovery = person.shown[0][1]
    memory_keyring.secrets.clear()
    with pytest.raises(DatabaseError, match="finns inte i den här datorns nyckelring"):
        open_database(url)
    person.answers = [recovery.lower().replace("-", " ")]
    open_database(url, prompts=person.prompts()).dispose()
    assert "finns inte i den här datorns nyckelring" in person.asked[0]
    # Typed once, kept again: the next start needs no typing.
    open_database(url).dispose()


def test_a_wrong_typed_key_is_refused_after_three_tries(
    tmp_path: Path, no_env_key: None, memory_keyring,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "a.db"
    open_database(f"sqlite:///{path}").dispose()
    memory_keyring.secrets.clear()
    before = _digest(path)
    person = RecordingPrompts([DbKey.generate().recovery_text()] * 5)
    with pytest.raises(DatabaseError, match="Ingenting har ändrats"):
        open_database(f"sqlite:///{path}", prompts=person.prompts())
    assert len(person.asked) == 3 and person.asked[1] == "Nyckeln stämmer inte. Försök igen."
    assert _digest(path) == before


def test_recovery_key_and_hex_forms_give_the_same_key() -> None:
    key = DbKey.generate()
    text = key.recovery_text()
    assert len(text.split("-")) == 13
    assert DbKey.parse(text) == key == DbKey.parse(key.hex) == DbKey.parse(text.lower())
    assert DbKey.parse(text.replace("O", "0").replace("I", "1").replace("B", "8")) == key
    assert key.hex not in repr(key)
    with pytest.raises(DatabaseError, match="fel form"):
        DbKey.parse("kort")


def test_an_unencrypted_database_from_before_is_encrypted_and_the_original_kept(
    tmp_path: Path,
) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    plain = create_engine(f"sqlite:///{path}")  # the standard library's unencrypted sqlite3
    with plain.begin() as connection:
        config = alembic_config(f"sqlite:///{path}")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.exec_driver_sql(
            "INSERT INTO settings (key, value) VALUES ('probe', '\"Elsa Klartextsson\"')")
    plain.dispose()
    person = RecordingPrompts()
    database = open_database(f"sqlite:///{path}", prompts=person.prompts())
    with database.engine.connect() as connection:
        value = connection.exec_driver_sql("SELECT value FROM settings WHERE key='probe'").scalar()
    database.dispose()
    assert value == '"Elsa Klartextsson"'
    kept = tmp_path / "old.db.okrypterad"
    assert b"Elsa Klartextsson" in kept.read_bytes()
    assert b"Elsa Klartextsson" not in path.read_bytes()
    assert "var inte krypterad" in person.notices[0] and str(kept) in person.notices[0]
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()


def test_an_unencrypted_database_open_in_another_program_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (a)")
    setup.commit()
    setup.close()
    # Locks only conflict between processes, so the other program is a real one.
    other = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('SELECT * FROM t').fetchall(); print('open', flush=True); sys.stdin.read()",
         str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "open"
        before = _digest(path)
        with pytest.raises(DatabaseError, match="används av ett annat program"):
            open_database(f"sqlite:///{path}")
        assert _digest(path) == before
        assert not (tmp_path / "old.db.okrypterad").exists()
    finally:
        other.kill()
        other.wait()


def test_the_key_is_never_part_of_the_database_address(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    shown = [database.url, database.display_name(), str(database.engine.url), repr(database)]
    database.dispose()
    assert not any(TEST_DB_KEY in text for text in shown)


def test_create_db_engine_on_a_copied_file_uses_the_same_key(tmp_path: Path) -> None:
    source = tmp_path / "a.db"
    open_database(f"sqlite:///{source}").dispose()
    engine = create_db_engine(f"sqlite:///{source}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM users").scalar() == 0
    engine.dispose()
