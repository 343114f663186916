"""Loggkontroll: who opened which child's case when, and which access looks unusual.

Reading the log shows children's names and is itself audited. Unusual access is a list to
review, not a verdict: reads of a case assigned to someone else (at the time of the read),
reads outside office hours, and one user reading many different children's cases in a
short time. The limits are settings (`loggkontroll.office_hours`, `loggkontroll.many_cases`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.audit.reads import is_read
from mottagning.context import Actor
from mottagning.errors import NotFound, ValidationError
from mottagning.models import AuditEvent, Child, User
from mottagning.rules import personnummer as pnr
from mottagning.rules.permissions import Action
from mottagning.settings import setting
from mottagning.timeutil import STOCKHOLM, format_duration_sv, to_local, utc_now

OFFICE_HOURS_SETTING = "loggkontroll.office_hours"
MANY_CASES_SETTING = "loggkontroll.many_cases"


ACTION_LABELS_SV = {
    "case_opened": "Öppnade ärendet",
    "history_read": "Läste barnets historik",
    "item_created": "Registrerade ärendet",
    "report_registered": "Registrerade anmälan",
    "status_changed": "Ändrade status",
    "item_assigned": "Fördelade ärendet",
    "queue_listed": "Listade kön",
    "assessment_started": "Började skyddsbedömning",
    "assessment_answered": "Svarade i skyddsbedömning",
    "assessment_notes_saved": "Sparade anteckningar",
    "assessment_checklist_updated": "Uppdaterade checklista",
    "assessment_finished": "Avslutade skyddsbedömning",
    "assessment_second_signed": "Kontrasignerade skyddsbedömning",
    "assessment_read": "Läste skyddsbedömning",
    "decision_proposed": "Föreslog beslut",
    "decision_proposal_changed": "Ändrade beslutsförslag",
    "decision_signed": "Signerade beslut",
    "decision_returned": "Återsände beslutsförslag",
    "decisions_listed": "Listade beslut",
    "extension_requested": "Begärde förlängd tid",
    "extension_signed": "Signerade förlängd tid",
    "extension_returned": "Återsände begäran om förlängd tid",
    "feedback_task_created": "Återkoppling att göra",
    "feedback_task_done": "Gjorde återkoppling",
    "letter_recipients_read": "Läste brevmottagare",
    "letter_previewed": "Förhandsgranskade brev",
    "letter_issued": "Upprättade brev",
    "letters_listed": "Listade brev",
    "letter_opened": "Öppnade brev",
    "letter_printed": "Skrev ut brev",
    "letter_reprinted": "Skrev ut brev igen",
    "letter_sent": "Skickade brev",
    "letter_cancelled": "Makulerade brev",
    "audit_listed": "Listade granskningsloggen",
    "audit_reviewed": "Gjorde loggkontroll",
    "audit_verified": "Kontrollerade granskningsloggen",
    "records_weeded": "Gallrade handlingar",
    "item_flags_changed": "Markeringar ändrades",
    "concern_codes_corrected": "Rättade orsaker till oro",
    "receipt_time_corrected": "Rättade mottagningstid",
    "protected_identity_marked": "Markerade skyddad identitet",
    "child_link_suggestion_viewed": "Såg förslag om samma barn",
    "children_merged": "Förde samman barnposter",
    "children_unmerged": "Ångrade sammanförda barnposter",
}

UNUSUAL_LABELS_SV = {
    "not_assigned": "Inte tilldelad",
    "outside_hours": "Utanför kontorstid",
    "many_cases": "Många ärenden på kort tid",
}


def action_label(action: str) -> str:
    return ACTION_LABELS_SV.get(action, action)


@dataclass(frozen=True)
class AuditFilter:
    """`child` is a personnummer or part of a name; dates are inclusive, in Stockholm time."""

    username: str | None = None
    child: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    actor: str
    user_id: int | None
    user_name: str | None
    action: str
    entity_type: str | None
    entity_id: int | None
    child_id: int | None
    child_name: str | None
    personnummer: str | None
    details: dict[str, Any]

    @property
    def is_read(self) -> bool:
        return is_read(self.action)

    @property
    def item_id(self) -> int | None:
        """The queue item the event concerns, also for events about its decisions, letters…"""
        if self.entity_type == "queue_item":
            return self.entity_id
        value = self.details.get("item_id")
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class UnusualAccess:
    kind: str
    occurred_at: datetime
    until: datetime
    user_id: int | None
    actor: str
    user_name: str | None
    child_id: int | None
    child_name: str | None
    personnummer: str | None
    item_id: int | None
    explanation: str
    event_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReaderSummary:
    """One user's reads of the filtered children's cases."""

    user_id: int | None
    actor: str
    user_name: str | None
    reads: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class AccessReview:
    entries: tuple[AuditEntry, ...]
    unusual: tuple[UnusualAccess, ...]
    readers: tuple[ReaderSummary, ...]
    children: tuple[tuple[int, str, str | None], ...]


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), STOCKHOLM)


def _resolve_children(session: Session, text: str) -> tuple[tuple[int, str, str | None], ...]:
    parsed = pnr.parse(text)
    if parsed is not None:
        condition = Child.personnummer == parsed.normalised
    else:
        condition = Child.name.ilike(f"%{text.strip()}%")
    rows = session.execute(
        select(Child.id, Child.name, Child.personnummer).where(condition).order_by(Child.name, Child.id)
    ).all()
    if not rows:
        raise NotFound(f"Inget barn matchar ”{text.strip()}”.")
    return tuple((r.id, r.name, r.personnummer) for r in rows)


def _filtered(session: Session, flt: AuditFilter) -> tuple[Select[Any], tuple[tuple[int, str, str | None], ...]]:
    if flt.start and flt.end and flt.start > flt.end:
        raise ValidationError(["Periodens början ligger efter dess slut."])
    query = select(AuditEvent)
    children: tuple[tuple[int, str, str | None], ...] = ()
    if flt.username:
        user = session.execute(select(User).where(User.username == flt.username)).scalar_one_or_none()
        if user is None:
            raise NotFound(f"Användaren ”{flt.username}” finns inte.")
        query = query.where(or_(AuditEvent.user_id == user.id, AuditEvent.actor == flt.username))
    if flt.child and flt.child.strip():
        children = _resolve_children(session, flt.child)
        query = query.where(AuditEvent.child_id.in_([c[0] for c in children]))
    if flt.start:
        query = query.where(AuditEvent.occurred_at >= _local_day_start(flt.start))
    if flt.end:
        query = query.where(AuditEvent.occurred_at < _local_day_start(flt.end + timedelta(days=1)))
    return query, children


def _entries(session: Session, query: Select[Any]) -> tuple[AuditEntry, ...]:
    events = session.execute(query.order_by(AuditEvent.id)).scalars().all()
    child_ids = {e.child_id for e in events if e.child_id is not None}
    user_ids = {e.user_id for e in events if e.user_id is not None}
    children = {r.id: (r.name, r.personnummer) for r in session.execute(
        select(Child.id, Child.name, Child.personnummer).where(Child.id.in_(child_ids)))} if child_ids else {}
    users = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return tuple(
        AuditEntry(
            id=e.id, occurred_at=e.occurred_at, actor=e.actor, user_id=e.user_id,
            user_name=users.get(e.user_id), action=e.action, entity_type=e.entity_type,
            entity_id=e.entity_id, child_id=e.child_id,
            child_name=children.get(e.child_id, (None, None))[0],
            personnummer=children.get(e.child_id, (None, None))[1],
            details=dict(e.details or {}),
        )
        for e in events
    )


def _record_review(session: Session, actor: Actor, action: str, flt: AuditFilter,
                   children: tuple[tuple[int, str, str | None], ...], rows: int, now: datetime) -> None:
    # Child ids only: the filter text may be a personnummer or a name, which must not
    # enter the (never weeded) audit log.
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action=action,
        details={"user": flt.username, "child_ids": [c[0] for c in children],
                 "from": flt.start.isoformat() if flt.start else None,
                 "to": flt.end.isoformat() if flt.end else None, "rows": rows},
        now=now,
    )


def list_audit(session: Session, actor: Actor, flt: AuditFilter, *,
               now: datetime | None = None) -> tuple[AuditEntry, ...]:
    """Every audit event matching the filter, oldest first (audited)."""
    actor.require(Action.REVIEW_AUDIT)
    query, children = _filtered(session, flt)
    entries = _entries(session, query)
    _record_review(session, actor, "audit_listed", flt, children, len(entries), now or utc_now())
    return entries


# --- unusual access ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRules:
    weekdays: frozenset[int]
    office_start: time
    office_end: time
    many_children: int
    many_window: timedelta


def review_rules(session: Session) -> ReviewRules:
    hours = setting(session, OFFICE_HOURS_SETTING)
    many = setting(session, MANY_CASES_SETTING)
    return ReviewRules(
        weekdays=frozenset(int(d) for d in hours["weekdays"]),
        office_start=time.fromisoformat(hours["start"]), office_end=time.fromisoformat(hours["end"]),
        many_children=int(many["children"]), many_window=timedelta(minutes=int(many["minutes"])),
    )


def _assignments(session: Session, item_ids: set[int]) -> dict[int, list[tuple[datetime, int | None]]]:
    """Each item's assignment history from the log: (when, assigned user id)."""
    timeline: dict[int, list[tuple[datetime, int | None]]] = {}
    if not item_ids:
        return timeline
    rows = session.execute(
        select(AuditEvent.entity_id, AuditEvent.occurred_at, AuditEvent.details)
        .where(AuditEvent.action == "item_assigned", AuditEvent.entity_type == "queue_item",
               AuditEvent.entity_id.in_(item_ids))
        .order_by(AuditEvent.id)
    ).all()
    for item_id, occurred_at, details in rows:
        timeline.setdefault(item_id, []).append((occurred_at, (details or {}).get("assigned_to")))
    return timeline


def _assigned_at(timeline: list[tuple[datetime, int | None]], moment: datetime) -> int | None:
    current = None
    for when, user_id in timeline:
        if when > moment:
            break
        current = user_id
    return current


def _unusual(entry: AuditEntry, kind: str, explanation: str) -> UnusualAccess:
    return UnusualAccess(
        kind, entry.occurred_at, entry.occurred_at, entry.user_id, entry.actor, entry.user_name,
        entry.child_id, entry.child_name, entry.personnummer,
        entry.item_id, explanation, (entry.id,),
    )


def _bursts(reads: list[AuditEntry], rules: ReviewRules) -> list[UnusualAccess]:
    """Stretches where one user read more than the limit of different children in the window."""
    found: list[UnusualAccess] = []
    by_user: dict[str, list[AuditEntry]] = {}
    for entry in reads:
        by_user.setdefault(entry.actor, []).append(entry)
    for user_reads in by_user.values():
        user_reads.sort(key=lambda e: (e.occurred_at, e.id))
        window: Counter[int] = Counter()
        left, spans = 0, []
        for right, entry in enumerate(user_reads):
            window[entry.child_id] += 1
            while entry.occurred_at - user_reads[left].occurred_at > rules.many_window:
                window[user_reads[left].child_id] -= 1
                if not window[user_reads[left].child_id]:
                    del window[user_reads[left].child_id]
                left += 1
            if len(window) > rules.many_children:
                if spans and left <= spans[-1][1]:
                    spans[-1][1] = right
                else:
                    spans.append([left, right])
        for first, last in spans:
            stretch = user_reads[first:last + 1]
            count = len({e.child_id for e in stretch})
            seconds = (stretch[-1].occurred_at - stretch[0].occurred_at).total_seconds()
            found.append(UnusualAccess(
                "many_cases", stretch[0].occurred_at, stretch[-1].occurred_at, stretch[0].user_id,
                stretch[0].actor, stretch[0].user_name, None, None, None, None,
                f"Läste {count} olika barns ärenden på {format_duration_sv(max(seconds, 60))}.",
                tuple(e.id for e in stretch),
            ))
    return found


def find_unusual(session: Session, entries: tuple[AuditEntry, ...], rules: ReviewRules) -> tuple[UnusualAccess, ...]:
    """Unusual reads among `entries` (no permission check: callers have done it)."""
    reads = [e for e in entries if e.is_read and e.child_id is not None]
    timelines = _assignments(session, {e.item_id for e in reads if e.item_id is not None})
    names = dict(session.execute(select(User.id, User.full_name)).all())
    found: list[UnusualAccess] = []
    for entry in reads:
        if entry.item_id in timelines:
            assigned = _assigned_at(timelines[entry.item_id], entry.occurred_at)
            if assigned is not None and assigned != entry.user_id:
                found.append(_unusual(entry, "not_assigned",
                                      f"Ärendet var tilldelat {names.get(assigned, 'någon annan')}."))
        local = to_local(entry.occurred_at)
        if local.isoweekday() not in rules.weekdays or not (rules.office_start <= local.time() < rules.office_end):
            found.append(_unusual(entry, "outside_hours",
                                  f"Läst kl. {local:%H.%M} en {_WEEKDAYS_SV[local.isoweekday() - 1]}."))
    found.extend(_bursts(reads, rules))
    return tuple(sorted(found, key=lambda u: (u.occurred_at, u.kind)))


_WEEKDAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def _readers(entries: tuple[AuditEntry, ...]) -> tuple[ReaderSummary, ...]:
    grouped: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        if entry.is_read and entry.child_id is not None:
            grouped.setdefault(entry.actor, []).append(entry)
    summaries = [
        ReaderSummary(reads[0].user_id, actor, reads[0].user_name, len(reads),
                      min(e.occurred_at for e in reads), max(e.occurred_at for e in reads))
        for actor, reads in grouped.items()
    ]
    return tuple(sorted(summaries, key=lambda s: s.last, reverse=True))


def review_access(session: Session, actor: Actor, flt: AuditFilter, *,
                  now: datetime | None = None) -> AccessReview:
    """Loggkontroll: access to children's cases matching the filter, the unusual part of it
    and, per user, how often and when they read (audited)."""
    actor.require(Action.REVIEW_AUDIT)
    query, children = _filtered(session, flt)
    entries = _entries(session, query.where(AuditEvent.child_id.is_not(None)))
    review = AccessReview(
        entries=entries, unusual=find_unusual(session, entries, review_rules(session)),
        readers=_readers(entries), children=children,
    )
    _record_review(session, actor, "audit_reviewed", flt, children, len(entries), now or utc_now())
    return review
