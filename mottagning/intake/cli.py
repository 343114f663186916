"""`mottagning import INBOX [--json] [--watch]` and `mottagning alarms [--json] [--check]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mottagning.errors import MottagningError
from mottagning.intake.importer import Importer, ImportSummary
from mottagning.intake.lock import InboxBusy, InboxLock


def _print_summary(summary: ImportSummary, as_json: bool) -> None:
    from mottagning.cli_support import emit_json

    if as_json:
        emit_json(summary.as_json())
        return
    print(
        f"Filer: {summary.files_seen}, registrerade anmälningar: {summary.registered} "
        f"({summary.queue_items_created} ärenden i kön), dubbletter: {summary.duplicates}, "
        f"i karantän: {summary.quarantined}, med datakvalitetsvarning: {summary.warnings}, "
        f"öppna larm: {summary.alarms_open}."
    )


def _cmd_import(args: argparse.Namespace) -> int:
    from mottagning.cli_support import open_db

    inbox = Path(args.inbox)
    if not inbox.is_dir():
        raise MottagningError(f"Inkorgen {inbox} finns inte eller är ingen mapp.")
    database = open_db(args)
    importer = Importer(database, inbox)
    try:
        with InboxLock(inbox):
            if not args.watch:
                _print_summary(importer.run_once(), args.json)
                return 0
            print(f"Bevakar {inbox} (var {args.interval}:e sekund). Avsluta med Ctrl+C.",
                  file=sys.stderr)
            while True:
                try:
                    summary = importer.run_once()
                except Exception as error:  # noqa: BLE001 - the service keeps watching
                    # The database is unreachable (or worse): say so and try again; the
                    # monitoring's own `alarms --check` fails meanwhile as well.
                    print(f"mottagning: importen misslyckades ({type(error).__name__}); "
                          "försöker igen.", file=sys.stderr)
                else:
                    if summary.files_seen:
                        _print_summary(summary, args.json)
                        sys.stdout.flush()
                time.sleep(args.interval)
    except InboxBusy:
        raise MottagningError(
            f"En annan import arbetar redan med inkorgen {inbox}. Försök igen om en stund."
        ) from None


def _cmd_alarms(args: argparse.Namespace) -> int:
    from mottagning.access.users import system_actor
    from mottagning.assessment.service import report_form_problems
    from mottagning.cli_support import current_actor, emit_json, iso, open_db
    from mottagning.intake.alarms import list_open_alarms, open_alarm_count, refresh_silence
    from mottagning.rules.permissions import Action
    from mottagning.stats.inflow import refresh_inflow
    from mottagning.terminal import printable
    from mottagning.timeutil import format_datetime_sv, utc_now

    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        # Silence and broken forms are judged here too, so monitoring notices them even
        # when no importer or window runs.
        refresh_silence(session, system_actor(session), now=utc_now())
        report_form_problems(session, system_actor(session))
        refresh_inflow(session, system_actor(session), now=utc_now())
        count = open_alarm_count(session, actor)
        if args.check and not args.json and not actor.may(Action.HANDLE_ALARMS):
            # The monitoring account sees how many, never what (details name files and people).
            if count:
                print(f"{count} öppna larm.")
            return 2 if count else 0
        actor.require(Action.HANDLE_ALARMS)
        open_alarms = list_open_alarms(session)
    if args.json:
        emit_json([
            {"id": a.id, "kind": a.kind, "source": a.source, "opened_at": iso(a.opened_at),
             "detail": a.detail}
            for a in open_alarms
        ])
    elif not args.check or open_alarms:
        if not open_alarms:
            print("Inga öppna larm.")
        for a in open_alarms:
            print(f"{a.id:>5}  {a.kind_label:<20} {format_datetime_sv(a.opened_at):<28} "
                  f"{printable(a.detail)}")
    if args.check and open_alarms:
        return 2
    return 0


def _cmd_inbox(args: argparse.Namespace) -> int:
    from mottagning.cli_support import current_actor, open_db
    from mottagning.settings import inbox_path, set_inbox_path

    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        if args.path is None and not args.clear:
            current = inbox_path(session)
            print(current or "Ingen inkorg är inställd.")
            return 0
        target = None if args.clear else str(Path(args.path).resolve())
        if target is not None and not Path(target).is_dir():
            raise MottagningError(f"Mappen {target} finns inte.")
        set_inbox_path(session, actor, target)
    print(f"Programmet bevakar nu inkorgen {target}." if target else "Ingen inkorg bevakas längre.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    importer = sub.add_parser("import", help="importera e-tjänstens inkorg")
    importer.add_argument("inbox", metavar="INKORG", help="mappen som e-tjänsten levererar till")
    importer.add_argument("--json", action="store_true", help="sammanfattningen som JSON")
    importer.add_argument("--watch", action="store_true", help="bevaka inkorgen tills den avbryts")
    importer.add_argument("--interval", type=float, default=10.0,
                          help="sekunder mellan genomsökningar med --watch")
    importer.set_defaults(func=_cmd_import)

    inbox = sub.add_parser("inbox", help="visa eller ställ in inkorgen som programmet bevakar")
    inbox.add_argument("path", nargs="?", metavar="MAPP", help="ny inkorg (systemförvaltare)")
    inbox.add_argument("--clear", action="store_true", help="sluta bevaka en inkorg")
    inbox.set_defaults(func=_cmd_inbox)

    alarm = sub.add_parser("alarms", help="öppna larm")
    alarm.add_argument("--json", action="store_true", help="som JSON")
    alarm.add_argument("--check", action="store_true",
                       help="slutstatus 2 om något larm är öppet (för övervakning)")
    alarm.set_defaults(func=_cmd_alarms)
