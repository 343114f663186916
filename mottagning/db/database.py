"""Opening the database: URL resolution, engine setup, migrations and transactions.

No engine exists at import time; the caller (GUI, CLI, importer, tests) opens a `Database`
and owns the transactions (`with db.transaction() as session:`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher_dbapi
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from mottagning.db import crypto, keys
from mottagning.db.keys import DbKey, KeyPrompts
from mottagning.errors import ConcurrentEdit, DatabaseError
from mottagning.paths import user_data_dir
from mottagning.settings import declaration

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

ENV_VAR = "MOTTAGNING_DB"
# A machine's own limit of the embedded database's page cache (MiB), over the setting.
CACHE_ENV_VAR = "MOTTAGNING_DB_CACHE_MIB"
CACHE_SETTING = "database.cache_max_mib"
SQLITE_DEFAULT_CACHE_BYTES = 2 * 1024 * 1024
# Room for the file to grow while a connection stays open in the pool.
CACHE_HEADROOM = 1.25
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"

logger = logging.getLogger(__name__)

# The key of each encrypted engine's file, in memory only (backups are encrypted with it).
_ENGINE_KEYS: weakref.WeakKeyDictionary[Engine, DbKey] = weakref.WeakKeyDictionary()


def default_url() -> str:
    """The embedded database in the user's data folder."""
    return f"sqlite:///{user_data_dir() / 'mottagning.db'}"


def resolve_url(explicit: str | None = None) -> str:
    """`--db URL`, else `MOTTAGNING_DB`, else the embedded default."""
    return explicit or os.environ.get(ENV_VAR) or default_url()


def is_embedded(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _normalise(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The embedded database's file named by `url` (None for an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def create_db_engine(
    url: str, *, key: DbKey | None = None, prompts: KeyPrompts | None = None,
) -> Engine:
    """An engine with the project's connection settings for either backend.

    An embedded file is opened with SQLCipher: `key` when given, otherwise the file's key
    from MOTTAGNING_DB_KEY, the keyring or `prompts` (see mottagning.db.keys); a new file gets
    a new key. A file from before encryption is encrypted first (the original is kept).
    """
    url = _normalise(url)
    if not is_embedded(url):
        return _server_engine(url)
    path = sqlite_file(url)
    if path is None:
        return _sqlite_engine(url, None, None)
    _check_folder(path)
    if key is None:
        key = _file_key(path, prompts)
    new_file = not path.exists() or path.stat().st_size == 0
    engine = _sqlite_engine(url, lambda: crypto.connect(
        path, key, timeout=30, check_same_thread=False), path)
    _ENGINE_KEYS[engine] = key
    if new_file:
        with engine.connect():
            pass
        # Only the owner may read the file; SQLite gives its -wal and -shm the same mode.
        path.chmod(0o600)
    return engine


def engine_key(engine: Engine) -> DbKey | None:
    """The key an embedded engine was opened with (None for a server or in-memory database)."""
    return _ENGINE_KEYS.get(engine)


def _check_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"Datamappen {path.parent} kan inte skapas ({exc.strerror}). "
            "Kontrollera behörigheterna eller ange en annan databas med --db."
        ) from exc
    if not os.access(path.parent, os.W_OK):
        raise DatabaseError(
            f"Datamappen {path.parent} är skrivskyddad. "
            "Kontrollera behörigheterna eller ange en annan databas med --db."
        )


def _file_key(path: Path, prompts: KeyPrompts | None) -> DbKey:
    if not path.exists() or path.stat().st_size == 0:
        return keys.key_for_new_file(path, prompts)
    if crypto.is_plaintext(path):
        key = keys.key_for_new_file(path, prompts)
        kept = crypto.encrypt_plaintext_file(path, key)
        message = (
            f"Databasen {path} var inte krypterad och är nu krypterad. Den okrypterade "
            f"originalfilen finns kvar som {kept}: kontrollera att allt fungerar och radera "
            "den sedan, den innehåller känsliga uppgifter i klartext."
        )
        if prompts is not None:
            prompts.notify(message)
        else:
            logger.warning(message)
        return key
    return keys.key_for_existing_file(path, prompts, lambda k: crypto.key_opens(path, k))


def cache_limit_mib(cursor: Any) -> float:
    """The most page cache one connection may hold: MOTTAGNING_DB_CACHE_MIB on this machine,
    else the unit's setting (read straight from the settings table: no session exists yet),
    else the setting's declared default."""
    item = declaration(CACHE_SETTING)
    override = os.environ.get(CACHE_ENV_VAR, "").strip()
    if override:
        try:
            value = int(override)
        except ValueError:
            logger.warning("%s=%r is not a number; the setting %s applies", CACHE_ENV_VAR,
                           override, CACHE_SETTING)
        else:
            if not item.check(value):
                return value
            logger.warning("%s=%r is out of range; the setting %s applies", CACHE_ENV_VAR,
                           override, CACHE_SETTING)
    # A new file has no settings table until the migrations have run.
    has_settings = cursor.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").fetchone()
    row = None
    if has_settings:
        row = cursor.execute("SELECT value FROM settings WHERE key = ?", (CACHE_SETTING,)).fetchone()
    if row is not None:
        try:
            stored = json.loads(row[0]).get("value")
        except (TypeError, ValueError, AttributeError):
            stored = None
        if stored is not None and not item.check(stored):
            return float(stored)
    return float(item.default)


def cache_bytes(path: Path | None, limit_mib: float) -> int:
    """The page cache for the file at `path`: its size (with the -wal, and room to grow), at
    least SQLite's default, at most `limit_mib`. SQLCipher decrypts a page each time it
    enters the cache, so a cache that holds the working set saves decrypting it again on
    every statement."""
    size = 0
    if path is not None:
        for part in (path, path.with_name(path.name + "-wal")):
            try:
                size += part.stat().st_size
            except OSError:
                pass
    wanted = max(SQLITE_DEFAULT_CACHE_BYTES, int(size * CACHE_HEADROOM))
    return min(wanted, max(SQLITE_DEFAULT_CACHE_BYTES, int(limit_mib * 1024 * 1024)))


def _sqlite_engine(url: str, creator: Callable[[], Any] | None, path: Path | None) -> Engine:
    if creator is None:
        engine = create_engine(url, connect_args={"timeout": 30})
    else:
        # The stock pysqlite dialect on the sqlcipher3 module (so errors map to
        # SQLAlchemy's), with our own connect: the key never enters the URL.
        engine = create_engine(url, module=sqlcipher_dbapi, creator=creator)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        # Temporary tables (the statistics' facts) never touch the disk, nor its encryption.
        cursor.execute("PRAGMA temp_store=MEMORY")
        # Negative: in KiB rather than pages.
        cursor.execute(f"PRAGMA cache_size=-{cache_bytes(path, cache_limit_mib(cursor)) // 1024}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # Writers queue up at BEGIN instead of failing later on a stale snapshot:
        # this is what serialises audit-chain appends between processes.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _server_engine(url: str) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    parsed = make_url(url)
    if not parsed.password:
        # From the keyring when stored there; otherwise libpq's PGPASSWORD / ~/.pgpass apply.
        password = keys.pg_password(parsed)
        if password:
            connect_args["password"] = password
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # alembic loads only when the schema is checked

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    script = _scripts()
    head = script.get_current_head()
    assert head is not None
    return head


_REVISION_LINE = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION_LINE = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.*)$", re.MULTILINE)


@functools.cache
def migration_graph() -> dict[str, tuple[str, ...]]:
    """Each migration's revision and the revisions it follows, read from the text of the
    migration files: the check at every start needs no Alembic (half a second to import).
    A test keeps it equal to Alembic's own reading."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION_LINE.search(text), _DOWN_REVISION_LINE.search(text)
        if revision is None or down is None:
            continue
        graph[revision.group(1)] = tuple(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return graph


def head_of_files() -> str | None:
    """The one revision no other migration follows (None when there is not exactly one:
    then Alembic decides)."""
    graph = migration_graph()
    followed = {down for downs in graph.values() for down in downs}
    heads = [revision for revision in graph if revision not in followed]
    return heads[0] if len(heads) == 1 else None


@dataclass
class Database:
    """An open database: the engine and a session factory."""

    url: str
    engine: Engine

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", self._refuse_newer_schema)

    def _refuse_newer_schema(self, session: Session, _context: Any, _instances: Any) -> None:
        """A desk whose program is older than the schema must not write into it.

        Desks are updated one by one after `mottagning db upgrade`; a desk still running the
        old program would write rows that the new schema gives another meaning (or misses
        columns the new program relies on). Checked once per transaction that writes, in
        that transaction, so an upgrade made while the program runs is seen at once."""
        if session.info.get(_SCHEMA_CHECKED) or not (session.new or session.dirty or session.deleted):
            return
        current = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if current is not None and current != head_of_files() and not _known(_scripts(), current):
            raise DatabaseError(_newer_message(current, at_open=False))
        session.info[_SCHEMA_CHECKED] = True

    @property
    def embedded(self) -> bool:
        return is_embedded(self.url)

    @property
    def file(self) -> Path | None:
        """The embedded database's file (None for a server)."""
        return sqlite_file(self.url) if self.embedded else None

    def display_name(self) -> str:
        """The URL without its password, for the status bar and messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back everything on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except StaleDataError as exc:
            raise ConcurrentEdit(
                "Någon annan har ändrat ärendet medan du arbetade med det. "
                "Ingenting av din ändring sparades; öppna ärendet igen och gör om ändringen."
            ) from exc
        finally:
            session.close()

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def at_head(self) -> bool:
        """Whether the schema is this program's newest, without Alembic: the common case
        at every start is answered by one small query (anything else: Alembic decides)."""
        head = head_of_files()
        if head is None:
            return False
        try:
            with self.engine.connect() as connection:
                stamped = connection.execute(
                    text("SELECT version_num FROM alembic_version")).scalars().all()
        except (OperationalError, ProgrammingError):  # a new database: no version table yet
            return False
        return stamped == [head]

    def upgrade(self) -> None:
        """Migrate to the newest schema (refuses a schema newer than this program)."""
        if self.at_head():
            return
        from alembic import command

        self.check_not_newer()
        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def check_not_newer(self) -> None:
        current = self.current_revision()
        if current is None:
            return
        if not _known(_scripts(), current):
            raise DatabaseError(_newer_message(current, at_open=True))

    def needs_upgrade(self) -> bool:
        return self.current_revision() != head_revision()

    def dispose(self) -> None:
        self.engine.dispose()


_SCHEMA_CHECKED = "schema_checked"


def _newer_message(revision: str, *, at_open: bool) -> str:
    what = "databasen har inte ändrats" if at_open else "ingenting av ändringen sparades"
    return (
        f"Databasen har en nyare struktur ({revision}) än den här versionen av programmet "
        f"känner till, så programmet skriver inte i den; {what}. Be systemförvaltaren "
        "uppdatera programmet på den här datorn och starta det sedan igen."
    )


@functools.cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:
        return False


def open_database(
    url: str | None = None, *, migrate: bool | None = None, prompts: KeyPrompts | None = None,
    key: DbKey | None = None,
) -> Database:
    """Open (and for the embedded database, migrate) the database at `url`.

    `migrate=None` migrates the embedded database automatically and leaves a server
    alone (`mottagning db upgrade` does that explicitly); an out-of-date server schema
    is an error. `prompts` lets the person type a key and see a new recovery key
    (mottagning.db.keys.cli_prompts for the CLI; the GUI supplies dialogs); `key` is an
    embedded file's key when the caller already has it.
    """
    resolved = resolve_url(url)
    try:
        engine = create_db_engine(resolved, key=key, prompts=prompts)
        database = Database(resolved, engine)
        if migrate is None:
            migrate = database.embedded
        if migrate:
            database.upgrade()
        elif not database.at_head():
            database.check_not_newer()
            if database.needs_upgrade():
                raise DatabaseError(
                    "Databasens struktur är äldre än programmet. "
                    "Kör 'mottagning db upgrade' (som systemförvaltare) och försök igen."
                )
    except DatabaseError:
        raise
    except (OperationalError, SQLAlchemyError, OSError) as exc:
        raise DatabaseError(
            f"Databasen {make_url(resolved).render_as_string(hide_password=True)} "
            f"kan inte öppnas: {_short(exc)}. Kontrollera adressen och att servern är igång."
        ) from exc
    return database


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
