"""`mottagning queue`: the open queue, most urgent first (JSON keys are a contract)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from mottagning.cli_support import current_actor, iso, open_db, stream_json_array


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
    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        if args.json:
            stream_json_array(queue_json_row(r) for r in _pages(session, actor, include_closed=args.all))
            return 0
        empty = True
        for r in _pages(session, actor, include_closed=args.all):
            empty = False
            _print_row(r)
    if empty:
        print("Kön är tom.")
    return 0


def _pages(session: Any, actor: Any, *, include_closed: bool) -> Iterator[Any]:
    """Every row of the queue in one keyset pass, one bounded page at a time (audited once)."""
    from mottagning.queue.listing import list_queue

    page = list_queue(session, actor, limit=1000, include_closed=include_closed)
    yield from page.rows
    while page.next_cursor is not None:
        page = list_queue(session, actor, after=page.next_cursor, limit=1000,
                          include_closed=include_closed, audit_read=False)
        yield from page.rows


def _print_row(r: Any) -> None:
    from mottagning.rules.status import label
    from mottagning.terminal import printable
    from mottagning.timeutil import format_datetime_sv

    flags = ",".join(r.flags)
    # Names are case data typed by others: an ESC or CR/LF must not forge a row.
    print(f"{r.id:>6}  {printable(r.child_name):<28} {printable(r.personnummer or '-'):<14} "
          f"{format_datetime_sv(r.received_at):<28} {label(r.status):<18} {printable(flags)}")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    queue = sub.add_parser("queue", help="lista kön")
    queue.add_argument("--json", action="store_true", help="skriv ut som JSON")
    queue.add_argument("--all", action="store_true", help="ta med avslutade ärenden")
    queue.set_defaults(func=_cmd_queue)
