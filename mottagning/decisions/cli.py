"""`mottagning decisions`: proposals and signed decisions, for checks and scripts."""

from __future__ import annotations

import argparse
from typing import Any

from mottagning.decisions.delegation import STATUS_LABELS_SV, DecisionStatus, outcome_label
from mottagning.timeutil import format_date_sv, utc_now

LISTED_STATUSES = ("awaiting", "returned", "signed")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("decisions", help="beslutsförslag och signerade beslut")
    parser.add_argument("--json", action="store_true", help="skriv ut som JSON")
    parser.add_argument("--status", choices=LISTED_STATUSES,
                        help="bara förslag som väntar (awaiting), återsända (returned) eller signerade (signed)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mottagning.cli_support import emit_json, iso, run_as_user
    from mottagning.decisions.views import list_decisions

    now = utc_now()
    rows = run_as_user(args, lambda session, actor: list_decisions(session, actor, status=args.status))
    if args.json:
        emit_json([
            {
                "id": r.id, "item_id": r.item_id, "child_name": r.child_name,
                "outcome": r.outcome, "status": r.status, "urgent": r.urgent,
                "proposed_by": r.proposed_by, "proposed_by_id": r.proposed_by_id,
                "proposed_at": iso(r.proposed_at), "signed_by": r.signed_by,
                "signed_by_id": r.signed_by_id,
                "signed_at": iso(r.signed_at), "decision_due": iso(r.decision_due),
                "decision_due_extended": iso(r.decision_due_extended),
                "overdue": r.overdue(now), "return_comment": r.return_comment,
                "corrects_decision_id": r.corrects_decision_id,
            }
            for r in rows
        ])
        return 0
    if not rows:
        print("Inga beslut.")
    for r in rows:
        late = "  FÖRSENAT" if r.overdue(now) else ""
        signer = f"  signerat av {r.signed_by}" if r.signed_by else ""
        print(f"{r.id:>6}  ärende {r.item_id:<6} {r.child_name:<26} {outcome_label(r.outcome):<34} "
              f"{STATUS_LABELS_SV[DecisionStatus(r.status)]:<20} föreslaget av {r.proposed_by}"
              f"{signer}  frist {format_date_sv(r.effective_due)}{late}")
    return 0
