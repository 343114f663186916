"""The server setup of docs/server.md, tried on the throwaway server: the owner migrates,
the application role works a case and is told no where it has no business."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from mottagning.audit.chain import verify_chain
from mottagning.db.database import open_database
from mottagning.queue.items import claim_item
from tests import pg
from tests.conftest import FIXED_NOW, make_user
from tests.core.factories import register_simple

SQL = Path(__file__).resolve().parents[3] / "packaging" / "postgresql"


def _psql(server: pg.PgServer, *args: str) -> None:
    psql = server.bindir / "psql"
    if not psql.exists():
        found = shutil.which("psql")
        if found is None:
            pytest.skip("psql is not installed")
        psql = Path(found)
    subprocess.run([str(psql), "-h", str(server.socket_dir), "-p", str(server.port),
                    "-U", "postgres", "-X", "-q", *args], check=True, capture_output=True,
                   text=True, timeout=60)


def _url(server: pg.PgServer, role: str) -> str:
    return server.url("mottagning").replace("postgres@", f"{role}@", 1)


@pytest.fixture
def unit_server(pg_server):  # type: ignore[no-untyped-def]
    if pg_server is None:
        pytest.skip("PostgreSQL is not installed here")
    _psql(pg_server, "-d", "postgres", "-v", "owner_password=owner-secret",
          "-v", "app_password=app-secret", "-f", str(SQL / "create-database.sql"))
    yield pg_server
    admin = create_engine(pg_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS mottagning WITH (FORCE)"))
        connection.execute(text("DROP ROLE IF EXISTS mottagning_app"))
        connection.execute(text("DROP ROLE IF EXISTS mottagning_owner"))
    admin.dispose()


@pytest.mark.postgres
def test_the_application_role_works_cases_but_cannot_touch_the_schema_or_rewrite_the_log(
    unit_server,  # type: ignore[no-untyped-def]
) -> None:
    owner = open_database(_url(unit_server, "mottagning_owner"), migrate=True)  # db upgrade
    owner.dispose()
    _psql(unit_server, "-d", "mottagning", "-f", str(SQL / "after-upgrade.sql"))

    desk = open_database(_url(unit_server, "mottagning_app"))  # a desk: checks, never migrates
    try:
        worker = make_user(desk, "anna", ["worker"])
        item_id = register_simple(desk, worker, now=FIXED_NOW).item_ids[0]
        with desk.transaction() as session:
            claim_item(session, worker, item_id, now=FIXED_NOW)
        with desk.transaction() as session:
            assert verify_chain(session).ok
        for statement in ("UPDATE audit_events SET actor = 'någon annan'",
                          "DELETE FROM audit_events",
                          "UPDATE alembic_version SET version_num = 'x'",
                          "CREATE TABLE egen (id int)",
                          "DROP TABLE reports"):
            with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                with desk.engine.begin() as connection:
                    connection.execute(text(statement))
    finally:
        desk.dispose()
