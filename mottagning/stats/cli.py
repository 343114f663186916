"""`mottagning stats`, `mottagning breaches` and `mottagning inflow`: the figures of a period,
the deadline breaches and the inflow watch, on screen, as JSON or exported."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mottagning.errors import MottagningError
from mottagning.i18n import _


def _period(args: argparse.Namespace, now: Any) -> Any:
    from mottagning.stats.period import Period

    return Period.parse(args.date_from, args.date_to, now=now)


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{value * 100:.1f} %".replace(".", ",")
    if kind == "days":
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _cmd_stats(args: argparse.Namespace) -> int:
    from mottagning.cli_support import emit_json, run_as_user
    from mottagning.stats.definitions import HEADLINE
    from mottagning.stats.export import export_figures, export_rows, underlying_rows
    from mottagning.stats.figures import compute_figures
    from mottagning.timeutil import utc_now

    now = utc_now()

    def work(session, actor):  # type: ignore[no-untyped-def]
        period = _period(args, now)
        figures = compute_figures(session, actor, period, now=now)
        if args.export:
            rows = (underlying_rows(session, actor, period, now=now)
                    if args.export.lower().endswith(".xlsx") and args.with_rows
                    and not args.publication else None)
            export_figures(session, actor, figures, Path(args.export), publication=args.publication,
                           now=now, rows=rows)
        if args.rows:
            export_rows(session, actor, period, Path(args.rows), now=now)
        return figures

    figures = run_as_user(args, work)
    if args.json:
        emit_json(figures.as_json())
        return 0
    period = figures.period
    print(_("Statistik {first} – {last}").format(first=period.first_day.isoformat(),
                                                 last=period.last_day.isoformat()))
    for definition in HEADLINE:
        print(f"  {definition.label:<48} {_format(figures[definition.key], definition.kind):>10}")
    if args.export:
        print(_("Nyckeltalen är exporterade till {path}.").format(path=args.export))
    if args.rows:
        print(_("Raderna (pseudonyma) är exporterade till {path}.").format(path=args.rows))
    return 0


def _cmd_breaches(args: argparse.Namespace) -> int:
    from mottagning.cli_support import emit_json, run_as_user
    from mottagning.stats.breaches import (
        KIND_LABELS_SV,
        breaches_per_month,
        export_breaches,
        list_breaches,
    )
    from mottagning.timeutil import utc_now

    now = utc_now()

    def work(session, actor):  # type: ignore[no-untyped-def]
        period = _period(args, now)
        if args.export:
            export_breaches(session, actor, period, Path(args.export), now=now)
        return (period, list_breaches(session, actor, period, now=now),
                breaches_per_month(session, actor, period, now=now))

    period, breaches, per_month = run_as_user(args, work)
    if args.json:
        emit_json({"period": period.as_json(), "breaches": [b.as_json() for b in breaches],
                   "per_month": per_month})
        return 0
    if not breaches:
        print(_("Inga överskridna tidsfrister {first} – {last}.").format(
            first=period.first_day.isoformat(), last=period.last_day.isoformat()))
    for b in breaches:
        data = b.as_json()
        done = data["done_at"] or _("ännu inte klart")
        print(f"{b.item_id:>7}  {KIND_LABELS_SV[b.kind]:<32} {_('frist')} {data['due']}  "
              f"{done}  {b.late_days:.1f} {_('dagar sent')}  {b.reason or ''}")
    if args.export:
        print(_("Listan är exporterad till {path}.").format(path=args.export))
    return 0


def _cmd_inflow(args: argparse.Namespace) -> int:
    from mottagning.access.users import system_actor
    from mottagning.cli_support import current_actor, emit_json, open_db
    from mottagning.stats.inflow import measure_inflow, refresh_inflow
    from mottagning.timeutil import utc_now

    database = open_db(args)
    current_actor(database)
    now = utc_now()
    with database.transaction() as session:
        refresh_inflow(session, system_actor(session), now=now)
        inflow = measure_inflow(session, now=now)
    if args.json:
        emit_json([i.as_json() for i in inflow])
        return 0
    for i in inflow:
        print(f"{i.label:<40} {_('senaste 7 dagarna')}: {i.last_7_days:>4}   "
              f"{_('snitt per vecka före')}: {i.weekly_average:5.1f}".replace(".", ","))
    return 0


def _cmd_completeness(args: argparse.Namespace) -> int:
    from mottagning.cli_support import emit_json, run_as_user
    from mottagning.rules.codes import reporter_label
    from mottagning.stats.completeness import (
        ELEMENT_LABELS_SV,
        ELEMENTS,
        completeness_by_organisation,
        export_completeness,
        record_observation,
    )
    from mottagning.timeutil import utc_now

    now = utc_now()

    def work(session, actor):  # type: ignore[no-untyped-def]
        if args.mark is not None:
            record_observation(session, actor, args.mark, missing=args.observation == "saknas", now=now)
            return None
        period = _period(args, now)
        if args.export:
            export_completeness(session, actor, period, Path(args.export),
                                organisation=args.organisation, now=now)
        rows = completeness_by_organisation(session, actor, period, now=now)
        return [r for r in rows if args.organisation in (None, r.organisation)]

    if args.mark is not None and args.observation is None:
        raise MottagningError(_("Ange --observation saknas eller --observation finns."))
    rows = run_as_user(args, work)
    if rows is None:
        print(_("Anmälan {id}: bedömningen av iakttagelsen är sparad.").format(id=args.mark))
        return 0
    if args.json:
        emit_json([r.as_json() for r in rows])
        return 0
    for r in rows:
        lacking = ", ".join(f"{ELEMENT_LABELS_SV[e].lower()} {r.missing[e]}" for e in ELEMENTS
                            if r.missing[e])
        who = f"{r.organisation} ({reporter_label(r.reporter_category).lower()})"
        print(f"{who:<50} {r.reports:>5} {_('anmälningar')}   {_('saknar')}: {lacking or '–'}")
    if args.export:
        print(_("Tabellen är exporterad till {path}.").format(path=args.export))
    return 0


def _cmd_followup(args: argparse.Namespace) -> int:
    from datetime import datetime as _datetime

    from mottagning.cli_support import emit_json, run_as_user
    from mottagning.stats.follow_up import (
        MEETING_STATUSES,
        feedback_due,
        record_feedback_given,
        record_meeting,
    )
    from mottagning.timeutil import STOCKHOLM, utc_now

    now = utc_now()
    meeting_at = None
    if args.at:
        try:
            meeting_at = _datetime.fromisoformat(args.at).replace(tzinfo=STOCKHOLM)
        except ValueError as exc:
            raise MottagningError(_("Ogiltig tid (skriv ÅÅÅÅ-MM-DD TT:MM): {e}").format(e=exc)) from exc

    def work(session, actor):  # type: ignore[no-untyped-def]
        if args.given is not None:
            record_feedback_given(session, actor, args.given, method=args.method, now=now)
        if args.meeting is not None:
            record_meeting(session, actor, args.meeting, status=args.status, meeting_at=meeting_at, now=now)
        return feedback_due(session, actor, now=now)

    if args.given is not None and args.method is None:
        raise MottagningError(_("Ange hur återkopplingen gavs med --method letter, phone eller meeting."))
    if args.meeting is not None and args.status is None:
        raise MottagningError(_("Ange mötets läge med --status ({statuses}).").format(
            statuses=", ".join(MEETING_STATUSES)))
    due = run_as_user(args, work)
    if args.json:
        emit_json([d.as_json() for d in due])
        return 0
    if not due:
        print(_("Ingen återkoppling väntar."))
    for d in due:
        data = d.as_json()
        late = _("FÖRSENAD") if d.overdue else ""
        print(f"{d.task_id:>6}  {_('ärende')} {d.item_id:<6} {_('senast')} {data['due_at']}  "
              f"{data['content_label']:<28} {d.reporter_organisation or ''} {late}")
    return 0


def _add_period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", metavar="DATUM",
                        help="första dagen (ÅÅÅÅ-MM-DD; annars 1 januari)")
    parser.add_argument("--to", dest="date_to", metavar="DATUM",
                        help="sista dagen (ÅÅÅÅ-MM-DD; annars i dag)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stats = sub.add_parser("stats", help="statistik för en period (seniorer och systemförvaltare)")
    stats.add_argument("--json", action="store_true", help="som JSON")
    _add_period(stats)
    stats.add_argument("--export", metavar="FIL",
                       help="exportera nyckeltalen till FIL.csv eller FIL.xlsx")
    stats.add_argument("--with-rows", action="store_true",
                       help="lägg de pseudonyma raderna som ett eget blad i xlsx-exporten")
    stats.add_argument("--rows", metavar="FIL",
                       help="exportera de pseudonyma raderna (utan namn och fritext) till csv/xlsx")
    stats.add_argument("--publication", action="store_true",
                       help="för publicering: tal från färre än 5 barn visas som <5")
    stats.set_defaults(func=_cmd_stats)

    breaches = sub.add_parser("breaches", help="överskridna tidsfrister (24 timmar, 14 dagar)")
    breaches.add_argument("--json", action="store_true", help="som JSON")
    _add_period(breaches)
    breaches.add_argument("--export", metavar="FIL", help="exportera listan till FIL.csv eller FIL.xlsx")
    breaches.set_defaults(func=_cmd_breaches)

    complete = sub.add_parser("completeness",
                              help="anmälningarnas fullständighet per anmälande organisation")
    complete.add_argument("--json", action="store_true", help="som JSON")
    _add_period(complete)
    complete.add_argument("--organisation", metavar="NAMN", help="bara denna organisation")
    complete.add_argument("--export", metavar="FIL", help="exportera till FIL.csv eller FIL.xlsx")
    complete.add_argument("--mark", type=int, metavar="ANMÄLAN",
                          help="spara om anmälan beskriver vad som iakttagits och när")
    complete.add_argument("--observation", choices=("saknas", "finns"),
                          help="med --mark: beskrivningen saknas eller finns")
    complete.set_defaults(func=_cmd_completeness)

    followup = sub.add_parser("followup", help="återkoppling som väntar; anmälningsmöten")
    followup.add_argument("--json", action="store_true", help="som JSON")
    followup.add_argument("--given", type=int, metavar="UPPGIFT",
                          help="återkopplingen är given (med --method)")
    followup.add_argument("--method", choices=("letter", "phone", "meeting"),
                          help="hur återkopplingen gavs: brev, telefon, möte")
    followup.add_argument("--meeting", type=int, metavar="ANMÄLAN",
                          help="spara ett anmälningsmöte för anmälan (med --status)")
    followup.add_argument("--status", choices=("offered", "booked", "held", "declined"),
                          help="mötets läge: erbjudet, bokat, genomfört, avböjt")
    followup.add_argument("--at", metavar="TID", help="när det bokade mötet äger rum (ÅÅÅÅ-MM-DD TT:MM)")
    followup.set_defaults(func=_cmd_followup)

    inflow = sub.add_parser("inflow", help="inflödet per kanal och e-tjänst (och dess larm)")
    inflow.add_argument("--json", action="store_true", help="som JSON")
    inflow.set_defaults(func=_cmd_inflow)
