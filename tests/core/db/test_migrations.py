"""The schema comes from Alembic only, and the models and migrations agree."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from mottagning.db.database import (
    Database,
    alembic_config,
    head_of_files,
    head_revision,
    migration_graph,
    open_database,
)
from mottagning.errors import DatabaseError
from mottagning.models import Base


def test_database_is_at_head_after_upgrade_from_empty(database: Database) -> None:
    assert database.current_revision() == head_revision()


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migration_chain_has_one_head_and_no_branches() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert not revision.is_branch_point, revision.revision


def test_the_start_reads_the_migration_chain_as_alembic_does() -> None:
    # the start checks the schema without Alembic, from the migration files' text
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    alembic_graph = {r.revision: tuple(r._all_down_revisions) for r in script.walk_revisions()}
    assert migration_graph() == alembic_graph
    assert head_of_files() == head_revision()


def test_a_database_at_head_is_seen_without_alembic(database: Database) -> None:
    assert database.at_head()
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0060'")
    assert not database.at_head()


def test_schema_newer_than_the_program_is_refused_without_writing(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    database = open_database(url)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_future'")
    database.dispose()
    with pytest.raises(DatabaseError, match="nyare struktur"):
        open_database(url)


def test_unreachable_server_gives_a_swedish_message() -> None:
    with pytest.raises(DatabaseError, match="kan inte öppnas"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_unwritable_data_folder_gives_a_swedish_message(tmp_path) -> None:
    # A file where the folder should be fails for root too (chmod does not stop root).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match="Datamappen"):
        open_database(f"sqlite:///{blocker / 'sub' / 'db.sqlite'}")


def test_migration_0008_protects_every_row_of_an_already_protected_person(
    database: Database, worker, now
) -> None:
    from alembic import command
    from sqlalchemy import select

    from mottagning.models import Child, Guardian
    from tests.core.factories import register_simple

    register_simple(database, worker, now=now)
    register_simple(database, worker, now=now)
    with database.transaction() as session:
        rows = session.execute(select(Guardian).order_by(Guardian.id)).scalars().all()
        assert len(rows) == 2 and all(g.street for g in rows)
        rows[1].protected_identity = True  # as an older version left it: one row only
        child = session.execute(select(Child)).scalar_one()
        child.protected_identity, child.street = True, "Storgatan 1"
    with database.engine.begin() as connection:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
    with database.transaction() as session:
        rows = session.execute(select(Guardian)).scalars().all()
        assert all(g.protected_identity and g.street is None and g.city is None for g in rows)
        assert session.execute(select(Child.street)).scalar_one() is None


def test_an_older_program_refuses_to_write_to_a_schema_upgraded_while_it_runs(
    database: Database, worker, now
) -> None:
    from mottagning.access.users import add_user
    from mottagning.models import User

    # Another desk has run a newer `mottagning db upgrade` while this program is open.
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_future'")
    with pytest.raises(DatabaseError, match="nyare struktur.*skriver inte i den.*uppdatera programmet"):
        with database.transaction() as session:
            add_user(session, None, username="nils", full_name="Nils Nilsson", roles=["worker"])
    with database.transaction() as session:  # reading still works, and nothing was written
        assert session.query(User).filter_by(username="nils").count() == 0
        assert session.query(User).filter_by(username="anna").count() == 1
