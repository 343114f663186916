"""The `mottagning` command: without a subcommand it starts the GUI.

Errors go to stderr in Swedish with exit status 1; usage errors exit 2 (argparse).
Every command honours --db and MOTTAGNING_DB.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from sqlalchemy.orm import Session

from mottagning import __version__
from mottagning.auth_cli import (
    SignInOptions,
    add_passwd_command,
    add_sign_in_options,
    signed_in_actor,
)
from mottagning.db import Database, open_database
from mottagning.errors import MottagningError
from mottagning.services.context import Actor

T = TypeVar("T")
GuiStarter = Callable[[argparse.Namespace], int]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with offset, in Stockholm time."""
    from mottagning.timeutil import to_local

    return None if moment is None else to_local(moment).isoformat(timespec="seconds")


# json escapes C0 controls itself; DEL, the C1 controls (0x9b is a one-byte CSI on some
# terminals) and bidirectional overrides are escaped too. They occur only inside strings.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def emit_json(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def open_db(args: argparse.Namespace, *, migrate: bool | None = None) -> Database:
    from mottagning.keys import cli_prompts

    return open_database(getattr(args, "db", None), migrate=migrate, prompts=cli_prompts())


# The global --user/--password-stdin of the running command (set by main()).
_sign_in_options: ContextVar[SignInOptions | None] = ContextVar("sign_in_options", default=None)


def run_as_user(args: argparse.Namespace, fn: Callable[[Session, Actor], T]) -> T:
    """One command = one transaction, as the signed-in (or OS account's) user."""
    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        return fn(session, actor)


def current_actor(database: Database) -> Actor:
    """The OS account's user on the embedded database; a password sign-in on a server."""
    return signed_in_actor(database, _sign_in_options.get() or SignInOptions())


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    database = open_db(args, migrate=True)
    print(f"Databasen är uppdaterad till senaste strukturen ({database.current_revision()}).")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from mottagning.demo import database_is_empty, fill_demo

    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        if args.if_empty and not database_is_empty(session):
            print("Databasen innehåller redan anmälningar; inga demodata lades till.")
            return 0
        result = fill_demo(session, reports=args.reports, seed=args.seed, actor=actor)
    print(f"Demodata skapade: {result.reports} anmälningar, {result.items} ärenden i kön.")
    return 0


def queue_json_row(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "report_id": row.report_id,
        "child_name": row.child_name,
        "personnummer": row.personnummer,
        "received_at": iso(row.received_at),
        "protection_due": iso(row.protection_due),
        "decision_due": iso(row.decision_due),
        "decision_due_extended": iso(row.decision_due_extended),
        "status": row.status,
        "flags": list(row.flags),
        "concern_codes": list(row.concern_codes),
        "reporter_category": row.reporter_category,
        "channel": row.channel,
        "assigned_to": row.assigned_to,
    }


def _cmd_queue(args: argparse.Namespace) -> int:
    from mottagning.rules.status import label
    from mottagning.services.queue import list_queue
    from mottagning.terminal import printable
    from mottagning.timeutil import format_datetime_sv

    database = open_db(args)
    actor = current_actor(database)
    rows = []
    with database.transaction() as session:
        offset, first = 0, True
        while True:
            page = list_queue(session, actor, offset=offset, limit=1000,
                              include_closed=args.all, audit_read=first)
            first = False
            rows.extend(page.rows)
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                break
    if args.json:
        emit_json([queue_json_row(r) for r in rows])
        return 0
    if not rows:
        print("Kön är tom.")
    for r in rows:
        flags = ",".join(r.flags)
        # Names are case data typed by others: an ESC or CR/LF must not forge a row.
        print(f"{r.id:>6}  {printable(r.child_name):<28} {printable(r.personnummer or '-'):<14} "
              f"{format_datetime_sv(r.received_at):<28} {label(r.status):<18} {printable(flags)}")
    return 0


def _cmd_users_add(args: argparse.Namespace) -> int:
    from mottagning.services.users import add_user

    info = run_as_user(args, lambda session, actor: add_user(
        session, actor, username=args.username, full_name=args.name, roles=args.role,
        os_account=args.os_account, title=args.title))
    print(f"Användaren {info.username} ({info.full_name}) har lagts till med rollerna {', '.join(info.roles)}.")
    return 0


def _cmd_users_list(args: argparse.Namespace) -> int:
    from mottagning.services.users import list_users
    from mottagning.terminal import printable

    users = run_as_user(args, list_users)
    if args.json:
        emit_json([u.__dict__ | {"roles": list(u.roles)} for u in users])
        return 0
    for u in users:
        print(f"{printable(u.username):<16} {printable(u.full_name):<28} {', '.join(u.roles):<24} "
              f"{printable(u.os_account or '')}")
    return 0


CommandRegistrar = Callable[[Any], None]


def _extension_registrars() -> list[CommandRegistrar]:
    """Commands of the other areas, each in its own module."""
    registrars: list[CommandRegistrar] = []
    for module_name in (
        "mottagning.intake.cli",
        "mottagning.assessment.cli",
        "mottagning.decisions_cli",
        "mottagning.letters.cli",
        "mottagning.backup_cli",
        "mottagning.audit_cli",
        "mottagning.gallring_cli",
    ):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        registrars.append(module.register)
    return registrars


class _SwedishUsage:
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups,  # type: ignore[misc]
                          prefix="användning: " if prefix is None else prefix)


# argparse's own words, for the messages a user meets most often.
_ARGPARSE_SV = (
    ("the following arguments are required: ", "dessa argument krävs: "),
    ("invalid choice: ", "ogiltigt val: "),
    ("choose from ", "välj bland "),
    ("unrecognized arguments: ", "okända argument: "),
    ("expected one argument", "ett värde krävs"),
    ("invalid int value: ", "ogiltigt heltal: "),
    ("invalid float value: ", "ogiltigt tal: "),
    ("argument ", "argument "),
)


class SwedishArgumentParser(argparse.ArgumentParser):
    """argparse with Swedish help and usage errors (exit status 2, as argparse)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        formatter = kwargs.get("formatter_class", argparse.HelpFormatter)
        kwargs["formatter_class"] = type(f"Swedish{formatter.__name__}", (_SwedishUsage, formatter), {})
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="visa den här hjälpen och avsluta")

    def error(self, message: str) -> NoReturn:
        for english, swedish in _ARGPARSE_SV:
            message = message.replace(english, swedish)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishArgumentParser(
        prog="mottagning",
        description="Mottagning – orosanmälningar om barn. Utan kommando startar programmet.",
    )
    parser.add_argument("--version", action="version", version=f"mottagning {__version__}")
    parser.add_argument("--db", metavar="URL", help="databasens adress (annars MOTTAGNING_DB)")
    add_sign_in_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO")

    db = sub.add_parser("db", help="databasens struktur")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="KOMMANDO")
    db_sub.add_parser("upgrade", help="migrera databasen till senaste strukturen").set_defaults(
        func=_cmd_db_upgrade
    )

    demo = sub.add_parser("demo", help="fyll en tom databas med syntetiska demodata")
    demo.add_argument("--reports", type=int, default=300, help="antal anmälningar")
    demo.add_argument("--seed", type=int, default=1, help="slumpfrö")
    demo.add_argument("--if-empty", action="store_true",
                      help="gör ingenting (och lyckas) om databasen redan har anmälningar")
    demo.set_defaults(func=_cmd_demo)

    queue = sub.add_parser("queue", help="lista kön")
    queue.add_argument("--json", action="store_true", help="skriv ut som JSON")
    queue.add_argument("--all", action="store_true", help="ta med avslutade ärenden")
    queue.set_defaults(func=_cmd_queue)

    users = sub.add_parser("users", help="användare")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="KOMMANDO")
    add = users_sub.add_parser("add", help="lägg till en användare")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="fullständigt namn")
    add.add_argument("--role", action="append", required=True,
                     choices=["worker", "senior", "assistant", "admin"], help="roll (kan upprepas)")
    add.add_argument("--os-account", help="datorkonto som kopplas till användaren")
    add.add_argument("--title", help="titel")
    add.set_defaults(func=_cmd_users_add)
    listing = users_sub.add_parser("list", help="lista användare")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_users_list)
    add_passwd_command(users_sub)

    for register in _extension_registrars():
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, start_gui: GuiStarter | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _sign_in_options.set(SignInOptions.from_args(args))
    try:
        if args.command is None:
            if start_gui is None:
                print("Det grafiska gränssnittet är inte tillgängligt i den här installationen.",
                      file=sys.stderr)
                return 1
            return start_gui(args)
        return int(args.func(args))
    except MottagningError as exc:
        print(f"mottagning: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mottagning: avbrutet.", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (e.g. `head`) went away; that is not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
