"""The `mottagning` command: the dispatcher. Without a subcommand it starts the GUI.

Each area keeps its commands in its own `cli.py` with a `register(subparsers)`; they are
listed here explicitly, so a missing module is an import error, not a missing command.
They are imported only when a command (or help) is asked for: the GUI starts without them.
Errors go to stderr in Swedish with exit status 1; usage errors exit 2 (argparse).
Every command honours --db and MOTTAGNING_DB.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NoReturn

from mottagning import __version__
from mottagning.access.identity import SignInOptions, add_sign_in_options
from mottagning.cli_support import (
    SwedishArgumentParser,
    current_actor,
    open_db,
    set_sign_in_options,
)
from mottagning.errors import MottagningError

GuiStarter = Callable[[argparse.Namespace], int]


def area_commands() -> tuple[ModuleType, ...]:
    """Each area's `cli` module, in the order `mottagning --help` lists them."""
    from mottagning.access import cli as access_cli
    from mottagning.assessment import cli as assessment_cli
    from mottagning.audit import cli as audit_cli
    from mottagning.calibration import cli as calibration_cli
    from mottagning.db import cli as db_cli
    from mottagning.decisions import cli as decisions_cli
    from mottagning.intake import cli as intake_cli
    from mottagning.letters import cli as letters_cli
    from mottagning.queue import cli as queue_cli
    from mottagning.records import cli as records_cli
    from mottagning.stats import cli as stats_cli

    return (db_cli, queue_cli, access_cli, intake_cli, assessment_cli, decisions_cli,
            letters_cli, audit_cli, records_cli, stats_cli, calibration_cli)


def _cmd_demo(args: argparse.Namespace) -> int:
    from mottagning.demo import database_is_empty, fill_demo

    database = open_db(args)
    actor = current_actor(database)
    if args.bulk:
        return _bulk_demo(database, actor, args)
    with database.transaction() as session:
        if args.if_empty and not database_is_empty(session):
            print("Databasen innehåller redan anmälningar; inga demodata lades till.")
            return 0
        result = fill_demo(session, reports=args.reports, seed=args.seed, actor=actor)
    print(f"Demodata skapade: {result.reports} anmälningar, {result.items} ärenden i kön.")
    return 0


def _bulk_demo(database: Any, actor: Any, args: argparse.Namespace) -> int:
    from mottagning.demo import database_is_empty
    from mottagning.demo_bulk import fill_bulk
    from mottagning.terminal import progress_bar

    with database.transaction() as session:
        if args.if_empty and not database_is_empty(session):
            print("Databasen innehåller redan anmälningar; inga demodata lades till.")
            return 0
    result = fill_bulk(database, reports=args.reports, seed=args.seed, actor=actor,
                       progress=progress_bar(sys.stderr))
    print(f"Demodata skapade: {result.reports} anmälningar, {result.items} ärenden i kön "
          f"({result.open_items} öppna), {result.audit_events} loggposter.")
    return 0


def _register_demo(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser("demo", help="fyll en tom databas med syntetiska demodata")
    demo.add_argument("--reports", type=int, default=300, help="antal anmälningar")
    demo.add_argument("--seed", type=int, default=1, help="slumpfrö")
    demo.add_argument("--if-empty", action="store_true",
                      help="gör ingenting (och lyckas) om databasen redan har anmälningar")
    demo.add_argument("--bulk", action="store_true",
                      help="skriv stora mängder direkt i tabellerna (miljontals anmälningar på minuter)")
    demo.set_defaults(func=_cmd_demo)


def _add_program_options(parser: argparse.ArgumentParser) -> None:
    """The options of the program itself (before any command; the GUI's only options)."""
    parser.add_argument("--db", metavar="URL", help="databasens adress (annars MOTTAGNING_DB)")
    parser.add_argument("--smoke-test", action="store_true",
                        help="starta fönstret och avsluta när det visats (prov efter installation)")
    add_sign_in_options(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = SwedishArgumentParser(
        prog="mottagning",
        description="Mottagning – orosanmälningar om barn. Utan kommando startar programmet.",
    )
    parser.add_argument("--version", action="version", version=f"mottagning {__version__}")
    _add_program_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO")
    _register_demo(sub)
    for area in area_commands():
        area.register(sub)
    return parser


class _NotTheGui(Exception):
    pass


class _GuiParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse override: the full parser reports
        raise _NotTheGui(message)


def _gui_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments when `argv` only starts the GUI (no command, help, version or anything
    unknown), parsed without importing the areas' commands; None otherwise."""
    parser = _GuiParser(prog="mottagning", add_help=False, allow_abbrev=False)
    _add_program_options(parser)
    try:
        args, rest = parser.parse_known_args(argv)
    except _NotTheGui:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None, *, start_gui: GuiStarter | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _gui_arguments(argv) if start_gui is not None else None
    if args is None:
        args = build_parser().parse_args(argv)
    set_sign_in_options(SignInOptions.from_args(args))
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
