"""Who the command line acts as cannot be chosen through the environment (issue 13): the OS
account comes from the process's uid, a password is needed when the user has one, the
monitoring account sees only alarm counts, demo data needs an administrator, and nothing
printed on the terminal carries control characters from case data."""

from __future__ import annotations

import io
import os
import sys

import pytest
from sqlalchemy import func, select

from mottagning import cli
from mottagning.access import auth
from mottagning.access.users import current_os_account, system_actor
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake import alarms
from mottagning.intake.reports import ChildInput
from mottagning.models import User
from tests.conftest import FIXED_NOW, make_user
from tests.core.factories import register_simple

pwd = pytest.importorskip("pwd")

PASSWORD = "Blåbärssoppa-1987"


def _run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(["--db", argv[0], *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def _map(database: Database, username: str, os_account: str | None = None) -> None:
    with database.transaction() as session:
        session.execute(select(User).where(User.username == username)).scalar_one().os_account = (
            os_account or current_os_account())


def _password(database: Database, username: str) -> None:
    with database.transaction() as session:
        admin = system_actor(session, "test-admin")
        auth.set_password(session, Actor(admin.user_id, admin.username, admin.full_name,
                                         frozenset({"admin"})),
                          username=username, new_password=PASSWORD)


def test_the_os_account_comes_from_the_uid_not_from_user_or_logname(monkeypatch) -> None:
    for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
        monkeypatch.setenv(name, "sofia-os")
    assert current_os_account() == pwd.getpwuid(os.getuid()).pw_name


def test_user_in_the_environment_does_not_make_the_cli_act_as_an_admin(
    database: Database, worker: Actor, admin: Actor, monkeypatch, capsys
) -> None:
    _map(database, "sofia", "sofia-os")
    _map(database, "anna")
    for name in ("USER", "LOGNAME", "USERNAME"):
        monkeypatch.setenv(name, "sofia-os")
    code, _out, err = _run(monkeypatch, capsys, [database.url, "users", "add", "evil",
                                                 "--name", "Evil", "--role", "admin"])
    assert code == 1 and "inte behörighet att hantera användare" in err
    with database.transaction() as session:
        assert session.execute(select(User.id).where(User.username == "evil")).first() is None


def test_a_user_with_a_password_gives_it_on_the_command_line_too(
    database: Database, worker: Actor, monkeypatch, capsys
) -> None:
    _map(database, "anna")
    _password(database, "anna")
    code, out, err = _run(monkeypatch, capsys, [database.url, "queue", "--json"])
    assert code == 1 and out == "" and "--password-stdin" in err
    code, _out, err = _run(monkeypatch, capsys, [database.url, "--password-stdin", "queue"],
                           "fel\n")
    assert code == 1 and "Fel användarnamn eller lösenord" in err
    code, out, err = _run(monkeypatch, capsys, [database.url, "--password-stdin", "queue",
                                                "--json"], PASSWORD + "\n")
    assert (code, err) == (0, "")


def test_only_an_admin_sets_another_users_password(
    database: Database, worker: Actor, senior: Actor, monkeypatch, capsys
) -> None:
    _map(database, "anna")
    code, _out, err = _run(monkeypatch, capsys, [database.url, "users", "passwd", "maria",
                                                 "--password-stdin"], "Nytt-lösenord-2027\n")
    assert code == 1 and "inte behörighet" in err
    with database.transaction() as session:
        assert not session.execute(select(User).where(User.username == "maria")).scalar_one().password_hash


def test_the_monitoring_account_checks_alarms_when_every_person_has_a_password(
    database: Database, worker: Actor, admin: Actor, monkeypatch, capsys
) -> None:
    make_user(database, "overvakning", ["monitor"])
    _map(database, "overvakning")
    _password(database, "anna")
    _password(database, "sofia")
    with database.transaction() as session:
        alarms.open_alarm(session, system_actor(session), kind=alarms.UNREADABLE_FILE,
                          key="karantan/x.json", source=None, now=FIXED_NOW,
                          detail="x.json: Ella Andersson 20150312-2382")
    code, out, err = _run(monkeypatch, capsys, [database.url, "alarms", "--check"])
    assert (code, err) == (2, "")
    assert "Ella" not in out and "1 öppna larm" in out
    # It sees how many, never what, and nothing else.
    for command in (["alarms"], ["alarms", "--json"], ["queue"]):
        code, out, err = _run(monkeypatch, capsys, [database.url, *command])
        assert code == 1 and "Ella" not in out + err and "behörighet" in err, command


def test_demo_data_needs_an_administrator(
    database: Database, assistant: Actor, monkeypatch, capsys
) -> None:
    _map(database, "johan")
    code, _out, err = _run(monkeypatch, capsys, [database.url, "demo", "--reports", "1"])
    assert code == 1 and "behörighet" in err
    with database.transaction() as session:
        people = session.execute(
            select(func.count()).select_from(User).where(User.is_system.is_(False))).scalar_one()
    assert people == 1


def test_control_characters_from_case_data_never_reach_the_terminal(
    database: Database, worker: Actor, monkeypatch, capsys
) -> None:
    _map(database, "anna")
    forged = "Ella\x1b[2J\r\n 999  Falsk Rad\x1b]0;titel\x07"
    register_simple(database, worker, now=FIXED_NOW, children=(
        ChildInput(name=forged, personnummer=None, birth_date=None),))
    with database.transaction() as session:
        alarms.open_alarm(session, system_actor(session), kind=alarms.UNREADABLE_FILE,
                          key="karantan/y.json", source=None, now=FIXED_NOW,
                          detail="fil\x1b[31m.json\rFalskt larm")
    for command in (["queue"], ["alarms"]):
        code, out, _err = _run(monkeypatch, capsys, [database.url, *command])
        assert code in (0, 2)
        assert "\x1b" not in out and "\r" not in out and "\x07" not in out, command
        assert all(line[:1] in (" ", "") or line[0].isdigit() for line in out.splitlines())
    assert "\\x1b" in out


def test_json_output_escapes_c1_controls_and_bidi_overrides(
    database: Database, worker: Actor, monkeypatch, capsys
) -> None:
    import json

    _map(database, "anna")
    name = "Ella\x9b2J\u202eAndersson\x1b"
    register_simple(database, worker, now=FIXED_NOW, children=(ChildInput(name=name),))
    code, out, _err = _run(monkeypatch, capsys, [database.url, "queue", "--json"])
    assert code == 0
    assert not any(ch in out for ch in "\x9b\u202e\x1b")
    assert json.loads(out)[0]["child_name"] == name
