"""`mottagning gallra`: weeding with a dry run, a confirmation and a protocol."""

from __future__ import annotations

import argparse
import json
import sys

from mottagning.cli_support import current_actor, emit_json, iso, open_db, run_as_user


def _summary_lines(summary: dict, rows_deleted: dict[str, int]) -> list[str]:
    lines = [f"  {kind['label']}: {kind['items']} ärenden" for kind in summary["kinds"].values()]
    lines.append(f"  Anmälningar som tas bort helt: {summary['reports']}")
    lines.append(f"  Barn som tas bort helt (inga ärenden kvar): {summary['children']}")
    kept = summary.get("kept", {})
    if kept.get("exempt_birth_day"):
        lines.append(f"  Bevaras (barnet född en undantagen dag): {kept['exempt_birth_day']} ärenden")
    if kept.get("unknown_birth_date"):
        lines.append(f"  Bevaras (födelsedatum okänt): {kept['unknown_birth_date']} ärenden")
    for held in summary.get("held_back", []):
        items = ", ".join(str(i) for i in held["item_ids"])
        lines.append(f"  Hålls kvar för beslut av en person (barn {held['child_id']} saknar "
                     f"personnummer och födelsedatum): ärende {items}")
    if rows_deleted:
        lines.append("  Rader per tabell: " + ", ".join(f"{t} {n}" for t, n in rows_deleted.items()))
    return lines


def _parse_setting(text: str) -> dict:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("skriv NAMN=VÄRDE")
    name = name.strip()
    if name.endswith(".years"):
        return {"kinds": {name.removesuffix(".years"): {"years": int(value)}}}
    if name == "exempt_birth_days":
        return {name: [int(d) for d in value.split(",") if d.strip()]}
    if name == "investigation_outcomes":
        return {name: [o.strip() for o in value.split(",") if o.strip()]}
    if name == "keep_everything":
        return {name: value.strip().lower() in ("1", "true", "ja", "yes")}
    raise argparse.ArgumentTypeError(f"okänd regel ”{name}”")


def _cmd_gallra(args: argparse.Namespace) -> int:
    from mottagning.records.gallring import (
        plan_weeding,
        put_weeding_rules,
        weed_records,
        weeding_rules,
    )

    database = open_db(args)
    actor = current_actor(database)
    if args.set:
        changes: dict = {}
        for change in args.set:
            for key, value in change.items():
                if key == "kinds":
                    for kind, rule in value.items():
                        changes.setdefault("kinds", {}).setdefault(kind, {}).update(rule)
                else:
                    changes[key] = value
        with database.transaction() as session:
            rules = put_weeding_rules(session, actor, changes)
        print(json.dumps(rules, ensure_ascii=False, indent=2))
        return 0
    if args.rules:
        with database.transaction() as session:
            emit_json(weeding_rules(session))
        return 0
    with database.transaction() as session:
        plan = plan_weeding(session, actor)
    if args.dry_run:
        if args.json:
            emit_json({"rules": plan.rules, "summary": plan.summary, "rows_deleted": plan.rows_deleted})
        else:
            print("Provkörning – detta skulle gallras nu:")
            print("\n".join(_summary_lines(plan.summary, plan.rows_deleted)))
        return 0
    if plan.empty:
        print("Inget att gallra just nu.")
        return 0
    if not args.yes:
        print("Detta gallras (tas bort för alltid):")
        print("\n".join(_summary_lines(plan.summary, plan.rows_deleted)))
        if not sys.stdin.isatty():
            print("mottagning: bekräfta med --yes när kommandot inte körs interaktivt.", file=sys.stderr)
            return 1
        answer = input("Skriv GALLRA för att genomföra: ")
        if answer.strip() != "GALLRA":
            print("Avbrutet; ingenting gallrades.")
            return 1
    with database.transaction() as session:
        result = weed_records(session, actor)
    if args.json:
        emit_json({"protocol_id": result.protocol_id, "summary": result.summary,
                   "rows_deleted": result.rows_deleted})
        return 0
    print(f"Gallringen är klar. Protokoll {result.protocol_id}:")
    print("\n".join(_summary_lines(result.summary, result.rows_deleted)))
    return 0


def _cmd_protocols(args: argparse.Namespace) -> int:
    from mottagning.records.gallring import list_protocols
    from mottagning.timeutil import format_datetime_sv

    protocols = run_as_user(args, list_protocols)
    if args.json:
        emit_json([{"id": p.id, "run_at": iso(p.run_at), "run_by": p.run_by, "summary": p.summary,
                    "rows_deleted": p.rows_deleted} for p in protocols])
        return 0
    if not protocols:
        print("Ingen gallring har gjorts.")
    for p in protocols:
        counts = ", ".join(f"{k['label']}: {k['items']}" for k in p.summary["kinds"].values())
        print(f"{p.id:>4}  {format_datetime_sv(p.run_at):<30} {p.run_by:<12} {counts}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    gallra = subparsers.add_parser(
        "gallra", help="gallra handlingar vars bevarandetid har gått ut",
        description="Gallrar avslutade ärenden enligt gallringsreglerna. Kör först med "
        "--dry-run; den riktiga körningen kräver bekräftelse och skriver ett gallringsprotokoll.",
    )
    gallra.add_argument("--dry-run", action="store_true", help="visa bara vad som skulle gallras")
    gallra.add_argument("--json", action="store_true", help="skriv ut som JSON")
    gallra.add_argument("--yes", action="store_true", help="bekräfta utan fråga")
    gallra.add_argument("--rules", action="store_true", help="visa gallringsreglerna")
    gallra.add_argument(
        "--set", action="append", type=_parse_setting, metavar="NAMN=VÄRDE",
        help="ändra en regel (systemförvaltare): report_without_investigation.years=5, "
        "protection_investigation.years=30, exempt_birth_days=5,15,25, keep_everything=true, "
        "investigation_outcomes=inleda_utredning,tillfors_pagaende_utredning",
    )
    gallra.set_defaults(func=_cmd_gallra)
    protocols = subparsers.add_parser("gallringsprotokoll", help="lista gallringsprotokollen")
    protocols.add_argument("--json", action="store_true", help="skriv ut som JSON")
    protocols.set_defaults(func=_cmd_protocols)
