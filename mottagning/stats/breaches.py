"""Deadline breaches for the unit's quality follow-up (and possible Lex Sarah reports):
every skyddsbedömning finished later than 24 hours after receipt (or still missing after
them), and every decision signed after the 14 days without a signed extension that covers
it (or still missing after the deadline that applies), with the reason the worker recorded.

Items of the reports received in the period; judged at `now`. The list names the queue
item's number (the unit must be able to find the case) but no child, reporter or text
other than the recorded reason. It is an internal list, not for publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.i18n import _
from mottagning.models import Decision
from mottagning.rules.permissions import Action
from mottagning.stats import sql
from mottagning.stats.export import write_csv, write_xlsx
from mottagning.stats.figures import SIGNED, facts_of
from mottagning.stats.period import Period, months
from mottagning.timeutil import as_utc, to_local

PROTECTION = "protection_24h"
DECISION = "decision_14_days"
KIND_LABELS_SV = {PROTECTION: _("Skyddsbedömning efter 24 timmar"),
                  DECISION: _("Beslut efter 14 dagar")}


@dataclass(frozen=True)
class Breach:
    item_id: int
    kind: str
    received_at: datetime
    due: datetime
    done_at: datetime | None  # None: still not done at `now`
    late_days: float
    extended_due: datetime | None
    reason: str | None

    def as_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return None if value is None else to_local(value).isoformat(timespec="minutes")

        return {"item_id": self.item_id, "kind": self.kind, "received_at": when(self.received_at),
                "due": when(self.due), "done_at": when(self.done_at),
                "late_days": self.late_days, "extended_due": when(self.extended_due),
                "reason": self.reason}


def _breach_query(session: Session, period: Period, now: datetime) -> Any:
    facts = facts_of(session, period)
    f = facts.c
    # The overrun reason of the first signed decision, else of the newest proposal.
    reasons = (
        select(Decision.item_id, Decision.overrun_reason,
               func.row_number().over(
                   partition_by=Decision.item_id,
                   order_by=((Decision.status != SIGNED), Decision.signed_at,
                             Decision.proposed_at.desc(), Decision.id.desc())).label("rank"))
        .where(Decision.status != "superseded")
        .subquery("reasons")
    )
    protection_done = func.coalesce(f.assessed_at, literal(now, f.assessed_at.type))
    protection = (
        select(f.item_id, literal(PROTECTION).label("kind"), f.received_at,
               f.protection_due.label("due"), f.assessed_at.label("done_at"),
               sql.days_between(session, protection_done, f.protection_due).label("late_days"),
               null().label("extended_due"), null().label("reason"))
        .where(or_(f.assessed_at > f.protection_due,
                   and_(f.assessed_at.is_(None), f.protection_due < now)))
    )
    covered = and_(f.extended_due.is_not(None), f.decided_at <= f.extended_due)
    decision_done = func.coalesce(f.decided_at, literal(now, f.decided_at.type))
    decision = (
        select(f.item_id, literal(DECISION).label("kind"), f.received_at,
               f.applicable_due.label("due"), f.decided_at.label("done_at"),
               sql.days_between(session, decision_done, f.applicable_due).label("late_days"),
               f.extended_due, reasons.c.overrun_reason.label("reason"))
        .outerjoin(reasons, and_(reasons.c.item_id == f.item_id, reasons.c.rank == 1))
        .where(or_(and_(f.decided_at > f.decision_due, ~covered),
                   and_(f.decided_at.is_(None), f.applicable_due < now)))
    )
    return union_all(protection, decision).subquery("breaches")


def list_breaches(session: Session, actor: Actor, period: Period, *, now: datetime) -> list[Breach]:
    """Every breach of the period's items, oldest receipt first; seniors and administrators,
    audited."""
    actor.require(Action.VIEW_STATISTICS)
    now = as_utc(now)
    breaches = _breach_query(session, period, now)
    rows = session.execute(select(breaches).order_by(breaches.c.received_at, breaches.c.item_id,
                                                      breaches.c.kind))
    result = [
        Breach(item_id=r.item_id, kind=r.kind, received_at=as_utc(r.received_at), due=as_utc(r.due),
               done_at=None if r.done_at is None else as_utc(r.done_at),
               late_days=round(float(r.late_days), 1),
               extended_due=None if r.extended_due is None else as_utc(r.extended_due),
               reason=r.reason)
        for r in rows
    ]
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="breaches_listed",
                 details={"period": period.as_json(), "breaches": len(result)}, now=now)
    return result


def breaches_per_month(session: Session, actor: Actor, period: Period, *, now: datetime
                       ) -> list[dict[str, Any]]:
    """Breaches per calendar month of receipt and kind (every month of the period, zeros too)."""
    actor.require(Action.VIEW_STATISTICS)
    now = as_utc(now)
    breaches = _breach_query(session, period, now)
    month = sql.buckets("months", months(period))
    counts = {
        (label, kind): int(n) for label, kind, n in session.execute(
            select(month.c.label, breaches.c.kind, func.count())
            .select_from(month)
            .join(breaches, and_(breaches.c.received_at >= month.c.bucket_start,
                                 breaches.c.received_at < month.c.bucket_end))
            .group_by(month.c.label, breaches.c.kind))
    }
    return [{"month": label, PROTECTION: counts.get((label, PROTECTION), 0),
             DECISION: counts.get((label, DECISION), 0)}
            for label, _start, _end in months(period)]


BREACH_HEADER = (_("Ärende"), _("Slag"), _("Inkom"), _("Tidsfrist"), _("Klart"),
                 _("Dagar sent"), _("Förlängd till"), _("Angiven orsak"))
MONTH_HEADER = (_("Månad"), KIND_LABELS_SV[PROTECTION], KIND_LABELS_SV[DECISION])


def export_breaches(session: Session, actor: Actor, period: Period, path: Path, *, now: datetime) -> int:
    """The list (and, in XLSX, the count per month) to CSV or XLSX; returns how many. Audited."""
    breaches = list_breaches(session, actor, period, now=now)
    rows = []
    for b in breaches:
        data = b.as_json()
        rows.append((b.item_id, KIND_LABELS_SV[b.kind], data["received_at"], data["due"],
                     data["done_at"] or _("ännu inte"), b.late_days, data["extended_due"], b.reason))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(path, BREACH_HEADER, rows)
    elif suffix == ".xlsx":
        per_month = breaches_per_month(session, actor, period, now=now)
        write_xlsx(path, [
            (_("Överskridanden"), BREACH_HEADER, rows),
            (_("Per månad"), MONTH_HEADER, [(m["month"], m[PROTECTION], m[DECISION]) for m in per_month]),
        ])
    else:
        raise ValidationError([_("Exportfilen ska sluta på .csv eller .xlsx.")])
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="statistics_exported",
                 details={"what": "breaches", "period": period.as_json(), "file": path.name,
                          "rows": len(rows)}, now=as_utc(now))
    return len(rows)
