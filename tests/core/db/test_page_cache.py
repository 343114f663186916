"""The embedded database's page cache is sized for its file: SQLCipher decrypts a page each
time it enters the cache, so SQLite's 2 MB default made every statistic decrypt the file again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mottagning.db.database import (
    CACHE_ENV_VAR,
    CACHE_SETTING,
    Database,
    cache_bytes,
    create_db_engine,
)
from mottagning.settings import put_setting

MIB = 1024 * 1024


def _cache_kib(database: Database) -> int:
    with database.engine.connect() as connection:
        return -int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())


def _reopened(database: Database) -> Database:
    database.dispose()
    return Database(database.url, create_db_engine(database.url))


def test_the_cache_follows_the_file_size_between_sqlites_default_and_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    assert cache_bytes(None, 256) == 2 * MIB  # in memory: SQLite's default
    path.write_bytes(b"\0" * (40 * MIB))
    assert cache_bytes(path, 256) == 50 * MIB  # the file and a quarter to grow
    (tmp_path / "x.db-wal").write_bytes(b"\0" * (8 * MIB))
    assert cache_bytes(path, 256) == 60 * MIB  # the -wal counts too
    assert cache_bytes(path, 16) == 16 * MIB  # never above the limit
    path.write_bytes(b"\0" * 4096)
    (tmp_path / "x.db-wal").unlink()
    assert cache_bytes(path, 256) == 2 * MIB  # never below the default


def test_a_connection_gets_the_cache_the_setting_allows(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_ENV_VAR, raising=False)
    path = tmp_path / "big.db"
    shutil.copyfile(sqlite_template, path)
    with path.open("ab") as handle:  # a big file, as far as its size tells
        handle.truncate(64 * MIB)
    database = Database(f"sqlite:///{path}", create_db_engine(f"sqlite:///{path}"))
    assert _cache_kib(database) == 80 * 1024
    with database.transaction() as session:
        put_setting(session, CACHE_SETTING, 32)
    database = _reopened(database)
    assert _cache_kib(database) == 32 * 1024  # the unit's limit, read at connect
    monkeypatch.setenv(CACHE_ENV_VAR, "8")
    database = _reopened(database)
    assert _cache_kib(database) == 8 * 1024  # one machine's own limit wins
    monkeypatch.setenv(CACHE_ENV_VAR, "lots")
    database = _reopened(database)
    assert _cache_kib(database) == 32 * 1024  # not a number: the setting applies
    database.dispose()
