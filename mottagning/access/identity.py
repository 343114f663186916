"""Who the command line acts as.

On the embedded database the OS login identifies the user (the OS account's user, with
exactly that user's roles), and a user who has chosen a password must give it. On a shared server the command line asks for the same
sign-in as the GUI: a password prompt, or one line of standard input with
`--password-stdin` (for scripts). `--user NAME` signs in as someone else.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass

from sqlalchemy import select

from mottagning.access.auth import (
    any_password_set,
    has_password,
    sign_in,
    username_for_os_account,
)
from mottagning.access.users import actor_for, current_os_account, ensure_os_user
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import MottagningError
from mottagning.models import User
from mottagning.rules.permissions import monitor_only
from mottagning.timeutil import utc_now


@dataclass(frozen=True)
class SignInOptions:
    """The global --user / --password-stdin options."""

    user: str | None = None
    password_stdin: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SignInOptions:
        return cls(getattr(args, "sign_in_user", None),
                   bool(getattr(args, "sign_in_password_stdin", False)))


def add_sign_in_options(parser: argparse.ArgumentParser) -> None:
    # Own dest names: subcommands (e.g. `audit list --user`) must not overwrite them.
    parser.add_argument("--user", dest="sign_in_user", metavar="NAMN",
                        help="logga in som denna användare (annars datorkontots användare)")
    parser.add_argument("--password-stdin", dest="sign_in_password_stdin", action="store_true",
                        help="läs inloggningslösenordet från första raden på standard in")


def read_secret(prompt: str, *, from_stdin: bool) -> str:
    """One password: a line of standard input, or a hidden prompt in a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise MottagningError("Lösenordet saknas på standard in.")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise MottagningError(
            "Lösenordet kan inte frågas efter utan terminal. Skicka det med --password-stdin."
        )
    return getpass.getpass(prompt)


def signed_in_actor(database: Database, options: SignInOptions) -> Actor:
    """The user the command acts as (see the module docstring).

    The OS account comes from the kernel (`current_os_account`), never the environment. A
    user who has a password gives it here too, as in the GUI; only the monitoring service
    account (role `monitor` alone, no password) is taken on its OS account by itself.
    """
    if options.user is None:
        with database.transaction() as session:
            mapped = username_for_os_account(session, current_os_account())
            if database.embedded and not options.password_stdin:
                actor = ensure_os_user(session)
                if not has_password(session, actor.user_id):
                    return actor
            elif mapped is not None:
                user = session.execute(select(User).where(User.username == mapped)).scalar_one()
                if user.active and monitor_only(user.role_names) and not user.password_hash:
                    return actor_for(user)
    with database.transaction() as session:
        installing = not database.embedded and not any_password_set(session)
        username = options.user or username_for_os_account(session, current_os_account())
    if installing and options.user is None:
        print("mottagning: Obs! Ingen användare har lösenord ännu. Välj ett med "
              "'mottagning users passwd' innan fler börjar använda databasen.", file=sys.stderr)
        with database.transaction() as session:
            return ensure_os_user(session)
    if username is None:
        raise MottagningError(
            f"Datorkontot ”{current_os_account()}” är inte kopplat till någon användare. "
            "Ange vem du är med --user NAMN."
        )
    password = read_secret(f"Lösenord för {username}: ", from_stdin=options.password_stdin)
    with database.transaction() as session:
        outcome = sign_in(session, username, password, now=utc_now())
    # Raised only after the commit, so the failed attempt (and its delay) is kept.
    return outcome.actor_or_raise()
