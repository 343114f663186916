"""What every area's command module shares: the database, the acting user, JSON output and
the Swedish argument parser. It sits below the dispatcher (`mottagning.cli`), so no area
module imports the dispatcher back."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from sqlalchemy.orm import Session

from mottagning.access.identity import SignInOptions, signed_in_actor
from mottagning.context import Actor
from mottagning.db.database import Database, open_database

T = TypeVar("T")


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


def stream_json_array(values: Iterable[Any]) -> None:
    """The text `emit_json` writes for a list, written item by item (a long listing never
    sits whole in memory)."""
    first = True
    for value in values:
        text = json.dumps(value, ensure_ascii=False, indent=2)
        text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        sys.stdout.write(("[\n" if first else ",\n") + "\n".join("  " + line for line in text.split("\n")))
        first = False
    sys.stdout.write("[]\n" if first else "\n]\n")


def open_db(args: argparse.Namespace, *, migrate: bool | None = None) -> Database:
    from mottagning.db.keys import cli_prompts

    return open_database(getattr(args, "db", None), migrate=migrate, prompts=cli_prompts())


# The global --user/--password-stdin of the running command (set by the dispatcher).
_sign_in_options: ContextVar[SignInOptions | None] = ContextVar("sign_in_options", default=None)


def set_sign_in_options(options: SignInOptions) -> None:
    _sign_in_options.set(options)


def current_actor(database: Database) -> Actor:
    """The OS account's user on the embedded database; a password sign-in on a server."""
    return signed_in_actor(database, _sign_in_options.get() or SignInOptions())


def run_as_user(args: argparse.Namespace, fn: Callable[[Session, Actor], T]) -> T:
    """One command = one transaction, as the signed-in (or OS account's) user."""
    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        return fn(session, actor)


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
