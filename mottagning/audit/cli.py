"""`mottagning audit list` and `mottagning audit verify`."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from mottagning.cli_support import emit_json, iso, open_db, run_as_user


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ogiltigt datum ”{text}” (skriv ÅÅÅÅ-MM-DD)") from exc


def _cmd_list(args: argparse.Namespace) -> int:
    from mottagning.audit.review import AuditFilter, action_label, list_audit
    from mottagning.timeutil import format_datetime_sv

    flt = AuditFilter(username=args.user, child=args.child, start=args.start, end=args.end)
    entries = run_as_user(args, lambda session, actor: list_audit(session, actor, flt))
    if args.json:
        emit_json([
            {"id": e.id, "occurred_at": iso(e.occurred_at), "actor": e.actor, "user_id": e.user_id,
             "action": e.action, "entity_type": e.entity_type, "entity_id": e.entity_id,
             "child_id": e.child_id, "personnummer": e.personnummer, "details": e.details}
            for e in entries
        ])
        return 0
    if not entries:
        print("Inga händelser matchar.")
    for e in entries:
        child = f"{e.child_name} ({e.personnummer or 'utan personnummer'})" if e.child_name else ""
        print(f"{e.id:>7}  {format_datetime_sv(e.occurred_at):<30} {e.actor:<12} "
              f"{action_label(e.action):<28} {child}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from mottagning.access.users import current_os_account
    from mottagning.audit.verification import record_verified, verify_audit
    from mottagning.models import User
    from mottagning.timeutil import format_datetime_sv

    database = open_db(args)
    with database.transaction() as session:
        verification = verify_audit(session, full=args.full)
        if verification.ok:
            os_account = current_os_account()
            user_id = session.execute(
                select(User.id).where(User.os_account == os_account)).scalar_one_or_none()
            record_verified(session, verification, actor=os_account, user_id=user_id)
    result, decisions = verification.chain, verification.decisions
    if not result.ok:
        where = f"händelse {result.first_broken_id}: " if result.first_broken_id is not None else ""
        print(
            f"Granskningsloggen är INTE hel: {where}{result.problem}. "
            f"({result.events_checked} händelser kontrollerade.)",
            file=sys.stderr,
        )
        return 1
    assert decisions is not None
    if not decisions.ok:
        # The chain holds each signed decision's content hash: a changed decision shows here.
        for problem in decisions.problems:
            print(f"Signerat beslut stämmer INTE med granskningsloggen: {problem}.", file=sys.stderr)
        return 1
    anchored = (f"{result.anchors_checked} ankare stämmer" if result.anchors_checked
                else "inga ankare ännu")
    previous = verification.previous
    scope = ("hela loggen" if previous is None else
             f"nya händelser sedan kontrollen {format_datetime_sv(previous.verified_at)} "
             f"(från händelse {previous.event_id}; hela loggen kontrollerades senast "
             f"{format_datetime_sv(previous.full_at)}, --full kontrollerar allt)")
    print(f"Granskningsloggen är hel: {result.events_checked} händelser kontrollerade, {anchored}, "
          f"{decisions.checked} signerade beslut stämmer; {scope}.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    audit_parser = subparsers.add_parser("audit", help="granskningsloggen")
    audit_sub = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="KOMMANDO")
    listing = audit_sub.add_parser("list", help="lista händelser (loggkontroll; granskas själv)")
    listing.add_argument("--json", action="store_true", help="skriv ut som JSON")
    listing.add_argument("--user", metavar="ANVÄNDARE", help="bara den här användarens händelser")
    listing.add_argument("--child", metavar="PNR", help="bara händelser om barnet (personnummer eller namn)")
    listing.add_argument("--from", dest="start", type=_day, metavar="DATUM",
                         help="från och med dag ÅÅÅÅ-MM-DD (svensk tid)")
    listing.add_argument("--to", dest="end", type=_day, metavar="DATUM",
                         help="till och med dag ÅÅÅÅ-MM-DD (svensk tid)")
    listing.set_defaults(func=_cmd_list)
    verify = audit_sub.add_parser(
        "verify", help="kontrollera att loggen är hel, inte avkortad och inte omräknad "
                       "(nya händelser sedan förra kontrollen; --full: hela loggen)")
    verify.add_argument("--full", action="store_true",
                        help="kontrollera hela loggen, inte bara det nya sedan förra kontrollen")
    verify.set_defaults(func=_cmd_verify)
