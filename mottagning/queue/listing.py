"""The queue: paged listing sorted by urgency, opening an item, a child's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from mottagning.assessment.service import assessment_statuses
from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import NotFound
from mottagning.models import Child, Guardian, QueueItem, Report, User
from mottagning.rules.deadlines import applicable_decision_due, next_deadline
from mottagning.rules.permissions import Action
from mottagning.rules.status import OPEN_STATUSES, Status, is_decided
from mottagning.rules.urgency import (
    PROTECTION_SOON_SETTING,
    Tier,
)
from mottagning.timeutil import utc_now

HISTORY_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class QueueRow:
    id: int
    report_id: int
    child_id: int
    child_name: str
    personnummer: str | None
    birth_date: date | None
    protected_identity: bool
    received_at: datetime
    protection_due: datetime
    decision_due: datetime
    decision_due_extended: datetime | None
    status: str
    flags: tuple[str, ...]
    concern_codes: tuple[str, ...]
    reporter_category: str
    channel: str
    assigned_to: str | None
    assessment_status: str | None = None
    """The skyddsbedömning's state (draft / awaiting_second_signature / finished), if begun."""
    group_size: int = 1
    """With mass-report grouping: how many open items the child has (this row stands
    for all of them; each keeps its own record and deadlines)."""
    data_quality_warnings: tuple[str, ...] = ()
    """What is wrong with the report's data (behind the Datakvalitet flag)."""

    @property
    def next_due(self) -> datetime:
        return next_deadline(self.status, self.protection_due, self.decision_due,
                             self.decision_due_extended) or applicable_decision_due(
            self.decision_due, self.decision_due_extended)


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    total: int


def _next_due_expr():  # type: ignore[no-untyped-def]
    return case(
        (QueueItem.status == Status.RECEIVED.value, QueueItem.protection_due),
        else_=func.coalesce(QueueItem.decision_due_extended, QueueItem.decision_due),
    )


def _tier_expr(now: datetime, protection_soon: timedelta):  # type: ignore[no-untyped-def]
    """`rules.urgency.urgency`'s tier in SQL (a test checks that the two agree)."""
    next_due = _next_due_expr()
    received = QueueItem.status == Status.RECEIVED.value
    return case(
        (QueueItem.status == Status.CLOSED.value, int(Tier.CLOSED)),
        (QueueItem.status == Status.DECISION_SIGNED.value, int(Tier.DECIDED)),
        (and_(received, QueueItem.flag_immediate_danger.is_(True)), int(Tier.IMMEDIATE_DANGER)),
        (and_(received, next_due < now), int(Tier.PROTECTION_OVERDUE)),
        (and_(received, next_due < now + protection_soon), int(Tier.PROTECTION_DUE_SOON)),
        (next_due < now, int(Tier.DECISION_OVERDUE)),
        else_=int(Tier.NEXT_DEADLINE),
    )


def _urgency_order(now: datetime, protection_soon: timedelta):  # type: ignore[no-untyped-def]
    return (_tier_expr(now, protection_soon), _next_due_expr(), QueueItem.id)


def protection_soon_window(session: Session) -> timedelta:
    """How near its deadline a skyddsbedömning rises above late decisions (setting, hours)."""
    from mottagning.settings import setting

    return timedelta(hours=float(setting(session, PROTECTION_SOON_SETTING)))


def _row(
    item: QueueItem, child: Child, report: Report, assigned: str | None, group_size: int = 1
) -> QueueRow:
    return QueueRow(
        id=item.id, report_id=item.report_id, child_id=child.id, child_name=child.name,
        personnummer=child.personnummer, birth_date=child.birth_date,
        protected_identity=child.protected_identity, received_at=item.received_at,
        protection_due=item.protection_due, decision_due=item.decision_due,
        decision_due_extended=item.decision_due_extended, status=item.status,
        flags=tuple(item.flags), concern_codes=tuple(report.concern_codes),
        reporter_category=report.reporter_category, channel=report.channel,
        assigned_to=assigned, group_size=group_size,
        data_quality_warnings=tuple(report.data_quality_warnings or ()),
    )


@dataclass(frozen=True)
class MassReportRule:
    """A child with at least `count` reports within `days` days is a mass-report case."""

    count: int = 5
    days: int = 7


def mass_report_rule(session: Session) -> MassReportRule:
    """The grouping rule from settings (defaults: 5 reports in 7 days)."""
    from mottagning.settings import setting

    value = setting(session, "mass_reports")
    return MassReportRule(int(value["count"]), int(value["days"]))


def list_queue(
    session: Session, actor: Actor, *, offset: int = 0, limit: int = 200,
    include_closed: bool = False, now: datetime | None = None, audit_read: bool = True,
    group_mass_reports: bool = False, assigned_to_id: int | None = None,
    item_ids: Sequence[int] | None = None,
) -> QueuePage:
    """One page of the queue, most urgent first, in the order of `rules.urgency.urgency`:
    immediate danger without a counted skyddsbedömning, skyddsbedömning overdue, due within
    `protection_soon`, decision overdue, then the deadline that comes next.

    With `group_mass_reports`, a child with many recent reports (see `mass_report_rule`)
    is one row, its most urgent item, carrying the count of the child's open items, so a
    burst about one child never drowns the rest of the queue; `list_child_items` lists them.

    Listing is one audit event, not one per row; the GUI's periodic refresh passes
    `audit_read=False` after the first listing of a session. `assigned_to_id` lists one
    worker's items ("Mina ärenden"); `item_ids` only those items (a refresh of changed rows).
    """
    actor.require(Action.VIEW_QUEUE)
    now = now or utc_now()
    open_only = QueueItem.status.in_([s.value for s in OPEN_STATUSES])
    condition = True if include_closed else open_only
    if assigned_to_id is not None:
        condition = and_(condition, QueueItem.assigned_to_id == assigned_to_id)
    if item_ids is not None:
        condition = and_(condition, QueueItem.id.in_(list(item_ids)))
    ordering = _urgency_order(now, protection_soon_window(session))
    base = (
        select(QueueItem, Child, Report, User.full_name)
        .join(Child, QueueItem.child_id == Child.id)
        .join(Report, QueueItem.report_id == Report.id)
        .outerjoin(User, QueueItem.assigned_to_id == User.id)
    )
    if group_mass_reports:
        rule = mass_report_rule(session)
        bursts = (
            select(QueueItem.child_id)
            .where(open_only, QueueItem.received_at >= now - timedelta(days=rule.days))
            .group_by(QueueItem.child_id)
            .having(func.count() >= rule.count)
        )
        open_counts = (
            select(QueueItem.child_id.label("child_id"), func.count().label("open_items"))
            .where(open_only, QueueItem.child_id.in_(bursts))
            .group_by(QueueItem.child_id)
            .subquery()
        )
        ranked = (
            select(
                QueueItem.id.label("item_id"),
                func.row_number().over(partition_by=QueueItem.child_id, order_by=ordering).label("rank"),
            )
            .where(open_only)
            .subquery()
        )
        keep = or_(open_counts.c.child_id.is_(None), ranked.c.rank == 1,
                   QueueItem.status == Status.CLOSED.value)
        grouped = (
            base.add_columns(open_counts.c.open_items)
            .outerjoin(open_counts, open_counts.c.child_id == QueueItem.child_id)
            .outerjoin(ranked, ranked.c.item_id == QueueItem.id)
            .where(condition, keep)
        )
        total = session.execute(select(func.count()).select_from(grouped.subquery())).scalar_one()
        result = session.execute(grouped.order_by(*ordering).offset(offset).limit(limit))
        rows = tuple(
            _row(item, child, report, assigned, group_size=open_items or 1)
            for item, child, report, assigned, open_items in result
        )
    else:
        total = session.execute(select(func.count()).select_from(QueueItem).where(condition)).scalar_one()
        result = session.execute(base.where(condition).order_by(*ordering).offset(offset).limit(limit))
        rows = tuple(_row(item, child, report, assigned) for item, child, report, assigned in result)
    states = assessment_statuses(session, [r.id for r in rows])
    rows = tuple(replace(r, assessment_status=states.get(r.id)) for r in rows)
    if audit_read:
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="queue_listed",
            details={"offset": offset, "limit": limit, "rows": len(rows), "include_closed": include_closed},
            now=now,
        )
    return QueuePage(rows, total)


def list_child_items(
    session: Session, actor: Actor, child_id: int, *, now: datetime | None = None
) -> tuple[QueueRow, ...]:
    """Every open item of one child, most urgent first (a mass-report group opened up)."""
    actor.require(Action.VIEW_QUEUE)
    now = now or utc_now()
    query = (
        select(QueueItem, Child, Report, User.full_name)
        .join(Child, QueueItem.child_id == Child.id)
        .join(Report, QueueItem.report_id == Report.id)
        .outerjoin(User, QueueItem.assigned_to_id == User.id)
        .where(QueueItem.child_id == child_id,
               QueueItem.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(*_urgency_order(now, protection_soon_window(session)))
    )
    rows = tuple(_row(item, child, report, assigned) for item, child, report, assigned in session.execute(query))
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="queue_listed",
        entity_type="child", entity_id=child_id, child_id=child_id,
        details={"rows": len(rows), "group": True}, now=now,
    )
    return rows


@dataclass(frozen=True)
class HistoryEntry:
    item_id: int
    report_id: int
    received_at: datetime
    channel: str
    reporter_category: str
    concern_codes: tuple[str, ...]
    status: str
    outcome: str | None
    flags: tuple[str, ...]
    next_due: datetime | None = None
    """The deadline that comes next while the item is open in this unit, else None."""

    @property
    def open(self) -> bool:
        return not is_decided(self.status)


def _next_due(item: QueueItem) -> datetime | None:
    return next_deadline(item.status, item.protection_due, item.decision_due,
                         item.decision_due_extended)


@dataclass(frozen=True)
class ChildHistory:
    child_id: int
    entries: tuple[HistoryEntry, ...]
    count_last_12_months: int


def _history(session: Session, child_id: int, now: datetime) -> ChildHistory:
    items = session.execute(
        select(QueueItem).options(joinedload(QueueItem.report))
        .where(QueueItem.child_id == child_id)
        .order_by(QueueItem.received_at.desc(), QueueItem.id.desc())
    ).scalars().all()
    entries = tuple(
        HistoryEntry(
            i.id, i.report_id, i.received_at, i.report.channel, i.report.reporter_category,
            tuple(i.report.concern_codes), i.status, i.outcome, tuple(i.flags), _next_due(i),
        )
        for i in items
    )
    recent = sum(1 for e in entries if e.received_at >= now - HISTORY_WINDOW)
    return ChildHistory(child_id, entries, recent)


def child_history(
    session: Session, actor: Actor, child_id: int, *, now: datetime | None = None
) -> ChildHistory:
    """Every report about a child, newest first, with the count in the last 12 months."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    if session.get(Child, child_id) is None:
        raise NotFound("Barnet finns inte.")
    history = _history(session, child_id, now)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="history_read",
        entity_type="child", entity_id=child_id, child_id=child_id, now=now,
    )
    return history


@dataclass(frozen=True)
class GuardianView:
    id: int
    name: str
    relation: str | None
    phone: str | None
    address: str | None
    protected_identity: bool
    named_in_this_report: bool = False


@dataclass(frozen=True)
class Sibling:
    item_id: int
    child_name: str
    personnummer: str | None


@dataclass(frozen=True)
class ItemDetail:
    row: QueueRow
    description: str
    reporter_anonymous: bool
    reporter_name: str | None
    reporter_organisation: str | None
    reporter_role: str | None
    reporter_phone: str | None
    reporter_email: str | None
    reporter_wants_feedback: bool
    immediate_danger: bool
    data_quality_warnings: tuple[str, ...]
    late_delivery_note: str | None
    source: str | None
    submission_id: str | None
    attachments: tuple[tuple[str, str, str, int], ...]
    guardians: tuple[GuardianView, ...]
    siblings: tuple[Sibling, ...]
    history: ChildHistory
    version: int
    assessment_status: str | None = None  # draft / awaiting_second_signature / finished


def open_item(
    session: Session, actor: Actor, item_id: int, *, now: datetime | None = None
) -> ItemDetail:
    """Open one queue item: the report verbatim, the child's history, siblings. Audited."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    item = session.get(QueueItem, item_id)
    if item is None:
        raise NotFound(f"Ärende {item_id} finns inte.")
    report, child = item.report, item.child
    assigned = item.assigned_to.full_name if item.assigned_to else None
    # the guardians named in this report first, so a guardian named again keeps that mark
    guardians = session.execute(
        select(Guardian).where(Guardian.child_id == child.id)
        .order_by(case((Guardian.report_id == report.id, 0), else_=1), Guardian.id)
    ).scalars().all()
    seen: set[tuple[str, str | None]] = set()
    guardian_views = []
    for g in guardians:
        key = (g.name, g.personnummer)
        if key in seen:
            continue
        seen.add(key)
        address = None if g.protected_identity else ", ".join(
            p for p in (g.street, " ".join(x for x in (g.postal_code, g.city) if x)) if p
        ) or None
        guardian_views.append(GuardianView(g.id, g.name, g.relation, g.phone, address,
                                           g.protected_identity, g.report_id == report.id))
    siblings = tuple(
        Sibling(other.id, other.child.name, other.child.personnummer)
        for other in report.items if other.id != item.id
    )
    detail = ItemDetail(
        row=_row(item, child, report, assigned),
        description=report.description,
        reporter_anonymous=report.reporter_anonymous,
        reporter_name=report.reporter_name,
        reporter_organisation=report.reporter_organisation,
        reporter_role=report.reporter_role,
        reporter_phone=report.reporter_phone,
        reporter_email=report.reporter_email,
        reporter_wants_feedback=report.reporter_wants_feedback,
        immediate_danger=report.immediate_danger,
        data_quality_warnings=tuple(report.data_quality_warnings or ()),
        late_delivery_note=report.late_delivery_note,
        source=report.source,
        submission_id=report.submission_id,
        attachments=tuple((a.filename, a.media_type, a.sha256, a.size) for a in report.attachments),
        guardians=tuple(guardian_views),
        siblings=siblings,
        history=_history(session, child.id, now),
        version=item.version,
        assessment_status=assessment_statuses(session, [item.id]).get(item.id),
    )
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="case_opened",
        entity_type="queue_item", entity_id=item.id, child_id=child.id, now=now,
    )
    return detail
