"""The restore drill of docs/server.md on the throwaway server: pg_dump -Fc, pg_restore
into a new database, and the audit log verifies there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from mottagning.audit.chain import verify
from mottagning.db.database import Database, open_database
from mottagning.models import AuditEvent, Report
from mottagning.queue.items import claim_item
from tests.core.factories import register_simple


def _tool(server, name: str) -> str:  # type: ignore[no-untyped-def]
    path = server.bindir / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_dump_restored_into_a_new_database_verifies(
    database: Database, worker, now, pg_server, tmp_path: Path
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        claim_item(session, worker, item_id, now=now)
    source = database.engine.url.database
    dump = tmp_path / "mottagning.dump"
    connect = ["-h", str(pg_server.socket_dir), "-p", str(pg_server.port), "-U", "postgres"]
    subprocess.run([_tool(pg_server, "pg_dump"), *connect, "-Fc", "-f", str(dump), source],
                   check=True, capture_output=True, timeout=120)
    admin = create_engine(pg_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE restore_drill"))
    try:
        subprocess.run([_tool(pg_server, "pg_restore"), *connect, "-d", "restore_drill",
                        "--no-owner", str(dump)], check=True, capture_output=True, timeout=120)
        restored = open_database(pg_server.url("restore_drill"))  # at head: no upgrade needed
        try:
            with restored.transaction() as session:
                result = verify(session)  # what `mottagning audit verify` runs
                events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
                reports = session.execute(select(func.count()).select_from(Report)).scalar_one()
        finally:
            restored.dispose()
        assert result.ok, result
        assert result.events_checked == events > 0 and reports == 1
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS restore_drill WITH (FORCE)"))
        admin.dispose()
