"""`mottagning users …`: add and list users, change a password."""

from __future__ import annotations

import argparse

from mottagning.access.auth import has_password, set_password
from mottagning.access.identity import read_secret
from mottagning.cli_support import current_actor, emit_json, open_db, run_as_user
from mottagning.errors import ValidationError


def _cmd_users_add(args: argparse.Namespace) -> int:
    from mottagning.access.users import add_user

    info = run_as_user(args, lambda session, actor: add_user(
        session, actor, username=args.username, full_name=args.name, roles=args.role,
        os_account=args.os_account, title=args.title))
    print(f"Användaren {info.username} ({info.full_name}) har lagts till med rollerna {', '.join(info.roles)}.")
    return 0


def _cmd_users_profile(args: argparse.Namespace) -> int:
    from mottagning.access.users import update_profile

    info = run_as_user(args, lambda session, actor: update_profile(
        session, actor, username=args.username, full_name=args.name, title=args.title))
    print(f"{info.username}: {info.full_name}, {info.title or 'ingen titel'}.")
    return 0


def _cmd_users_list(args: argparse.Namespace) -> int:
    from mottagning.access.users import list_users
    from mottagning.terminal import printable

    users = run_as_user(args, list_users)
    if args.json:
        emit_json([u.__dict__ | {"roles": list(u.roles)} for u in users])
        return 0
    for u in users:
        print(f"{printable(u.username):<16} {printable(u.full_name):<28} {', '.join(u.roles):<24} "
              f"{printable(u.os_account or '')}")
    return 0


def _cmd_passwd(args: argparse.Namespace) -> int:
    database = open_db(args)
    actor = current_actor(database)
    target = args.username or actor.username
    own = target == actor.username
    with database.transaction() as session:
        needs_current = own and has_password(session, actor.user_id)
    from_stdin = args.new_password_stdin
    current = read_secret("Nuvarande lösenord: ", from_stdin=from_stdin) if needs_current else None
    new = read_secret(f"Nytt lösenord för {target}: ", from_stdin=from_stdin)
    if not from_stdin and read_secret("Upprepa det nya lösenordet: ", from_stdin=False) != new:
        raise ValidationError(["De två lösenorden är inte lika. Lösenordet ändrades inte."])
    with database.transaction() as session:
        set_password(session, actor, username=target, new_password=new, current_password=current)
    print(f"Lösenordet för {target} är ändrat.")
    return 0


def add_passwd_command(users_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    passwd = users_sub.add_parser(
        "passwd", help="byt ditt lösenord eller (som systemförvaltare) någon annans",
        description="Med --password-stdin läses först det nuvarande lösenordet (när du byter "
                    "ditt eget och redan har ett) och sedan det nya, en rad vardera.",
    )
    passwd.add_argument("username", nargs="?", metavar="ANVÄNDARE",
                        help="vems lösenord (annars ditt eget)")
    passwd.add_argument("--password-stdin", dest="new_password_stdin", action="store_true",
                        help="läs lösenorden från standard in i stället för att fråga")
    passwd.set_defaults(func=_cmd_passwd)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    profile = users_sub.add_parser(
        "profile", help="ändra namn och titel (breven undertecknas med dem)",
        description="Ändrar fullständigt namn och titel för dig själv, eller som systemförvaltare "
                    "för någon annan. Brev undertecknas av ärendets handläggare med namn och titel.")
    profile.add_argument("username", nargs="?", help="användaren (utelämnad: du själv)")
    profile.add_argument("--name", help="fullständigt namn")
    profile.add_argument("--title", help="titel, till exempel \"Förste socialsekreterare\"")
    profile.set_defaults(func=_cmd_users_profile)
    listing = users_sub.add_parser("list", help="lista användare")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_users_list)
    add_passwd_command(users_sub)
