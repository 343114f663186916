"""`mottagning queue`: the open queue, most urgent first (JSON keys are a contract)."""

from __future__ import annotations

import argparse
from typing import Any

from mottagning.cli_support import current_actor, emit_json, iso, open_db


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
    from mottagning.queue.listing import list_queue
    from mottagning.rules.status import label
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    queue = sub.add_parser("queue", help="lista kön")
    queue.add_argument("--json", action="store_true", help="skriv ut som JSON")
    queue.add_argument("--all", action="store_true", help="ta med avslutade ärenden")
    queue.set_defaults(func=_cmd_queue)
