"""Fixtures shared by every test: databases on both backends, users, a fixed clock.

Each test gets a fresh copy of an already-migrated template database: a copied file for
SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
import time_machine
from sqlalchemy import create_engine, text

from mottagning.access.users import actor_for, add_user
from mottagning.context import Actor
from mottagning.db.database import Database, create_db_engine, open_database
from mottagning.models import User
from mottagning.rules.permissions import Role
from tests import pg
from tests.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The GUI tests run on a laptop's screen, 1280×720: every window must fit it.
SCREEN_1280X720 = Path(__file__).resolve().parent / "data" / "screen-1280x720.json"
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN_1280X720}"
os.environ.pop("MOTTAGNING_DB", None)
# Every test database is encrypted with this key (also in subprocesses, which inherit it);
# tests of key handling itself remove it with monkeypatch.
TEST_DB_KEY = "5e" * 32
os.environ["MOTTAGNING_DB_KEY"] = TEST_DB_KEY
# Subprocesses (CLI tests) must never reach the real keyring or the user's key files.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("MOTTAGNING_AUDIT_KEY", secrets.token_hex(32))
# Tests do not write anchors into the machine's system log; tests of the witness turn it on.
os.environ["MOTTAGNING_AUDIT_SYSLOG"] = "0"
os.environ.pop("MOTTAGNING_AUDIT_WITNESS_FILE", None)

REQUIRE_PG = os.environ.get("MOTTAGNING_REQUIRE_PG") == "1"
# The intake format's sample inbox, copied here: a user's clone has only its own files.
SAMPLES = Path(__file__).resolve().parent / "data" / "inbox"
FIXED_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)

# `make test-ahead` runs the whole suite with the wall clock moved this many days ahead, to
# prove that no test (and no GUI call) depends on the date the suite happens to run on.
CLOCK_AHEAD_DAYS = int(os.environ.get("MOTTAGNING_TEST_CLOCK_AHEAD_DAYS") or 0)

_counter = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def wall_clock_ahead() -> Iterator[None]:
    if not CLOCK_AHEAD_DAYS:
        yield
        return
    with time_machine.travel(datetime.now(UTC) + timedelta(days=CLOCK_AHEAD_DAYS), tick=True):
        yield


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets its own empty in-memory keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def local_drafts_in_a_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts kept on this computer while the server is gone go to a fresh folder, never
    the user's own data folder."""
    from mottagning.access import local_drafts

    folder = tmp_path / "lokala-utkast"
    monkeypatch.setattr(local_drafts, "folder", lambda: folder)
    return folder


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = open_database(f"sqlite:///{path}", migrate=True)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PgServer | None]:
    try:
        server = pg.start_server()
    except RuntimeError as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required for this run but could not start: {exc}")
        yield None
        return
    try:
        admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE mottagning_template"))
        admin.dispose()
        database = open_database(server.url("mottagning_template"), migrate=True)
        database.dispose()
        yield server
    finally:
        server.stop()


def _pg_copy(server: pg.PgServer) -> tuple[Database, str]:
    name = f"t_{os.getpid()}_{next(_counter)}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE mottagning_template"))
    admin.dispose()
    url = server.url(name)
    return Database(url, create_db_engine(url)), name


def _pg_drop(server: pg.PgServer, name: str) -> None:
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    """A fresh, migrated database; every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
        db = Database(url, create_db_engine(url))
        yield db
        db.dispose()
        return
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not installed here (run 'make test' as root to install it)")
    db, name = _pg_copy(server)
    yield db
    db.dispose()
    _pg_drop(server, name)


@pytest.fixture
def database_url(database: Database) -> str:
    return database.url


def make_user(database: Database, username: str, roles: list[str]) -> Actor:
    with database.transaction() as session:
        add_user(session, None, username=username, full_name=username.capitalize() + " Testsson",
                 roles=roles)
        user = session.query(User).filter_by(username=username).one()
        return actor_for(user)


@pytest.fixture
def worker(database: Database) -> Actor:
    return make_user(database, "anna", [Role.WORKER])


@pytest.fixture
def senior(database: Database) -> Actor:
    return make_user(database, "maria", [Role.SENIOR])


@pytest.fixture
def assistant(database: Database) -> Actor:
    return make_user(database, "johan", [Role.ASSISTANT])


@pytest.fixture
def admin(database: Database) -> Actor:
    return make_user(database, "sofia", [Role.ADMIN])


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample inbox not found at {SAMPLES}")
    return SAMPLES


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Show that the database tests ran on both backends: outcomes per backend."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call" and outcome != "skipped":
                continue
            node = getattr(report, "nodeid", "")
            for backend in ("sqlite", "postgresql"):
                if f"[{backend}" in node or f"-{backend}]" in node:
                    per = counts.setdefault(backend, {})
                    per[outcome] = per.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("database backends")
        for backend, per in sorted(counts.items()):
            terminalreporter.write_line(
                f"{backend}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(per.items())))
