"""Who the command line acts as: the OS account on the embedded database, a password
sign-in on a shared server (`--password-stdin` or a prompt), and `users passwd`."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from mottagning import cli
from mottagning.access import auth
from mottagning.access.users import current_os_account
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import AuditEvent, User

PASSWORD = "Blåbärssoppa-1987"


def _run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _set_password(database: Database, actor: Actor, username: str | None = None) -> None:
    with database.transaction() as session:
        auth.set_password(session, actor, username=username, new_password=PASSWORD)


def _map_os_account(database: Database, username: str) -> None:
    with database.transaction() as session:
        session.execute(select(User).where(User.username == username)).scalar_one().os_account = (
            current_os_account())


@pytest.fixture
def server(database: Database) -> Database:
    if database.embedded:
        pytest.skip("sign-in on a shared server")
    return database


@pytest.fixture
def embedded(database: Database) -> Database:
    if not database.embedded:
        pytest.skip("the embedded database")
    return database


def test_on_a_server_the_cli_signs_in_with_the_password_from_stdin(
    server: Database, worker: Actor, admin: Actor, monkeypatch, capsys
) -> None:
    _set_password(server, admin, "anna")
    code, out, err = _run(monkeypatch, capsys, ["--db", server.url, "--user", "anna",
                                                "--password-stdin", "users", "list", "--json"],
                          PASSWORD + "\n")
    assert (code, err) == (0, "")
    assert "anna" in {u["username"] for u in json.loads(out)}
    with server.transaction() as session:
        last = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert (last.action, last.actor) == ("sign_in", "anna")


def test_on_a_server_a_wrong_password_is_refused_and_recorded(
    server: Database, worker: Actor, admin: Actor, monkeypatch, capsys
) -> None:
    _set_password(server, admin, "anna")
    for _ in range(3):
        code, out, err = _run(monkeypatch, capsys, ["--db", server.url, "--user", "anna",
                                                    "--password-stdin", "queue"], "fel\n")
    assert (code, out) == (1, "")
    assert err == ("mottagning: Fel användarnamn eller lösenord. Efter flera misslyckade försök "
                   "måste du vänta 5 sekunder innan du försöker igen.\n")


def test_on_a_server_without_a_terminal_the_cli_asks_for_password_stdin(
    server: Database, worker: Actor, admin: Actor, monkeypatch, capsys
) -> None:
    _set_password(server, admin)
    code, _out, err = _run(monkeypatch, capsys, ["--db", server.url, "--user", "anna", "queue"])
    assert code == 1 and "--password-stdin" in err


def test_on_a_fresh_server_without_passwords_the_os_account_is_used_with_a_warning(
    server: Database, admin: Actor, monkeypatch, capsys
) -> None:
    _map_os_account(server, "sofia")
    code, out, err = _run(monkeypatch, capsys, ["--db", server.url, "users", "list"])
    assert code == 0 and "sofia" in out
    assert "Ingen användare har lösenord ännu" in err


def test_on_the_embedded_database_the_cli_acts_as_the_os_accounts_user(
    embedded: Database, worker: Actor, assistant: Actor, monkeypatch, capsys
) -> None:
    _map_os_account(embedded, "johan")
    code, out, err = _run(monkeypatch, capsys, ["--db", embedded.url, "queue", "--json"])
    assert (code, err) == (0, "")
    # ...with exactly that user's roles: the assistant may not add users.
    code, _out, err = _run(monkeypatch, capsys, ["--db", embedded.url, "users", "add", "ny",
                                                 "--name", "Ny Person", "--role", "worker"])
    assert code == 1 and "inte behörighet att hantera användare" in err


def test_passwd_sets_a_password_for_another_user_as_system_admin(
    embedded: Database, worker: Actor, admin: Actor, monkeypatch, capsys
) -> None:
    _map_os_account(embedded, "sofia")
    code, out, _err = _run(monkeypatch, capsys, ["--db", embedded.url, "users", "passwd", "anna",
                                                 "--password-stdin"], PASSWORD + "\n")
    assert (code, out) == (0, "Lösenordet för anna är ändrat.\n")
    with embedded.transaction() as session:
        assert auth.sign_in(session, "anna", PASSWORD).ok


def test_passwd_for_ones_own_password_needs_the_current_one(
    embedded: Database, worker: Actor, monkeypatch, capsys
) -> None:
    _map_os_account(embedded, "anna")
    _set_password(embedded, worker)
    # First line: the sign-in (a user with a password gives it on the command line too).
    command = ["--db", embedded.url, "--password-stdin", "users", "passwd", "--password-stdin"]
    code, _out, err = _run(monkeypatch, capsys, command, f"{PASSWORD}\nfel\nNytt-lösenord-2027\n")
    assert code == 1 and "nuvarande lösenordet stämmer inte" in err
    code, _out, err = _run(monkeypatch, capsys, command,
                           f"{PASSWORD}\n{PASSWORD}\nNytt-lösenord-2027\n")
    assert (code, err) == (0, "")


def test_a_real_process_signs_in_through_stdin_on_a_server(
    server: Database, worker: Actor, admin: Actor
) -> None:
    _set_password(server, admin, "anna")
    result = subprocess.run(
        [sys.executable, "-m", "mottagning.cli", "--db", server.url, "--user", "anna",
         "--password-stdin", "queue", "--json"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == []
