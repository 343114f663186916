"""Who the command line acts as.

On the embedded database the OS login identifies the user (the OS account's user, with
exactly that user's roles). On a shared server the command line asks for the same
sign-in as the GUI: a password prompt, or one line of standard input with
`--password-stdin` (for scripts). `--user NAME` signs in as someone else.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass

from mottagning.access.auth import (
    any_password_set,
    sign_in,
    username_for_os_account,
)
from mottagning.access.users import current_os_account, ensure_os_user
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import MottagningError
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
    """The user the command acts as (see the module docstring)."""
    if database.embedded and options.user is None and not options.password_stdin:
        with database.transaction() as session:
            return ensure_os_user(session)
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
