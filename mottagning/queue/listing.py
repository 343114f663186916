"""The queue: paged listing sorted by urgency, opening an item, a child's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from mottagning.assessment.service import assessment_statuses
from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import NotFound
from mottagning.models import Child, Guardian, QueueItem, Report
from mottagning.models.queue import flag_names
from mottagning.queue.keyset import (
    Listing,
    QueueCursor,
    changed_item_ids,
    codes,
    count_listed,
    latest_update,
    mass_report_rule,
    open_counts,
    read_page,
    row_select,
    rows_of_children,
)
from mottagning.rules.deadlines import applicable_decision_due, next_deadline
from mottagning.rules.permissions import Action
from mottagning.rules.status import DECIDED_STATUSES, is_decided
from mottagning.rules.urgency import PROTECTION_SOON_SETTING, Tier, urgency
from mottagning.timeutil import utc_now

HISTORY_WINDOW = timedelta(days=365)
# A periodic refresh re-reads what changed since a little before the newest change it saw:
# workstations' clocks differ by seconds, and a few rows read twice cost nothing.
CLOCK_SKEW = timedelta(minutes=5)


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

    def urgency_key(self, now: datetime, protection_soon: timedelta) -> tuple[int, datetime, int]:
        """The row's place in the queue at `now` (`rules.urgency.urgency`'s key)."""
        return urgency(status=self.status, immediate_danger="immediate_danger" in self.flags,
                       protection_due=self.protection_due, decision_due=self.decision_due,
                       decision_due_extended=self.decision_due_extended, now=now,
                       protection_soon=protection_soon).key(self.id)

    @property
    def next_due(self) -> datetime:
        return next_deadline(self.status, self.protection_due, self.decision_due,
                             self.decision_due_extended) or applicable_decision_due(
            self.decision_due, self.decision_due_extended)


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    total: int | None
    """Rows in the whole listing, counted only when asked for on the first page (else None)."""
    next_cursor: QueueCursor | None = None
    """Where the next page starts; None when this page is the last."""
    protection_soon: timedelta = timedelta(hours=4)
    """The soon-window the page was ordered with (for `QueueRow.urgency_key`)."""
    now: datetime | None = None
    """The moment the page was ordered at."""


def protection_soon_window(session: Session) -> timedelta:
    """How near its deadline a skyddsbedömning rises above late decisions (setting, hours)."""
    from mottagning.settings import setting

    return timedelta(hours=float(setting(session, PROTECTION_SOON_SETTING)))


def _row(row: Any, group_size: int = 1, assessment_status: str | None = None) -> QueueRow:
    return QueueRow(
        id=row.id, report_id=row.report_id, child_id=row.child_id, child_name=row.child_name,
        personnummer=row.personnummer, birth_date=row.birth_date,
        protected_identity=row.protected_identity, received_at=row.received_at,
        protection_due=row.protection_due, decision_due=row.decision_due,
        decision_due_extended=row.decision_due_extended, status=row.status,
        flags=tuple(flag_names(row.flag_immediate_danger, row.flag_violence, row.flag_repeat,
                                row.flag_data_quality)), concern_codes=codes(row.concern_codes),
        reporter_category=row.reporter_category, channel=row.channel,
        assigned_to=row.assigned_to, group_size=group_size,
        data_quality_warnings=codes(row.data_quality_warnings),
        assessment_status=assessment_status,
    )


def _listing(session: Session, *, now: datetime, include_closed: bool, group_mass_reports: bool,
             assigned_to_id: int | None) -> Listing:
    return Listing(now=now, protection_soon=protection_soon_window(session),
                   include_closed=include_closed,
                   group=mass_report_rule(session) if group_mass_reports else None,
                   assigned_to_id=assigned_to_id)


def _queue_rows(session: Session, listing: Listing, found: list[tuple[Tier, Any]]) -> tuple[QueueRow, ...]:
    ids = [row.id for _, row in found]
    states = assessment_statuses(session, ids)
    sizes = open_counts(session, listing, [row.child_id for _, row in found])
    return tuple(_row(row, sizes.get(row.child_id, 1), states.get(row.id)) for _, row in found)


def list_queue(
    session: Session, actor: Actor, *, after: QueueCursor | None = None, limit: int = 200,
    include_closed: bool = False, now: datetime | None = None, audit_read: bool = True,
    group_mass_reports: bool = False, assigned_to_id: int | None = None,
    count_total: bool = False,
) -> QueuePage:
    """One page of the queue, most urgent first, in the order of `rules.urgency.urgency`:
    immediate danger without a counted skyddsbedömning, skyddsbedömning overdue, due within
    `protection_soon`, decision overdue, then the deadline that comes next.

    Pages are keyset pages: pass the previous page's `next_cursor` as `after` (the next page
    is then ordered at the first page's moment). Each page reads bounded index ranges
    (`queue.keyset`), whatever the size of the queue. The total is not part of a page: it
    walks every open item's index entry, so it grows with the queue; `count_queue` counts it
    on its own (the GUI shows the first page first), or `count_total` on the first page.

    With `group_mass_reports`, a child with many recent reports (see `mass_report_rule`)
    is one row, its most urgent item, carrying the count of the child's open items, so a
    burst about one child never drowns the rest of the queue; `list_child_items` lists them.
    `assigned_to_id` lists one handläggare's items only ("Mina ärenden").

    Listing is one audit event, not one per row; the GUI's periodic refresh passes
    `audit_read=False` after the first listing of a session.
    """
    actor.require(Action.VIEW_QUEUE)
    now = after.now if after is not None else (now or utc_now())
    listing = _listing(session, now=now, include_closed=include_closed,
                       group_mass_reports=group_mass_reports, assigned_to_id=assigned_to_id)
    found = read_page(session, listing, after=after, limit=limit)
    rows = _queue_rows(session, listing, found)
    cursor = None
    if len(found) == limit and found:
        tier, last = found[-1]
        cursor = QueueCursor(now=now, tier=int(tier), next_due=last.next_due, item_id=last.id)
    total = count_listed(session, listing) if count_total and after is None else None
    if audit_read:
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="queue_listed",
            details={"after": after.item_id if after else None, "limit": limit, "rows": len(rows),
                     "include_closed": include_closed},
            now=now,
        )
    return QueuePage(rows, total, cursor, listing.protection_soon, now)


def count_queue(
    session: Session, actor: Actor, *, now: datetime | None = None, include_closed: bool = False,
    group_mass_reports: bool = False, assigned_to_id: int | None = None,
) -> int:
    """How many rows `list_queue` lists in all (counted on the indexes)."""
    actor.require(Action.VIEW_QUEUE)
    listing = _listing(session, now=now or utc_now(), include_closed=include_closed,
                       group_mass_reports=group_mass_reports, assigned_to_id=assigned_to_id)
    return count_listed(session, listing)


@dataclass(frozen=True)
class ItemsRefresh:
    """What a refresh of some items found: the rows the listing shows for their children
    (each with its urgency key at `now`), and which children were looked at."""

    rows: tuple[QueueRow, ...]
    child_ids: frozenset[int]
    now: datetime
    protection_soon: timedelta


def reread_items(
    session: Session, actor: Actor, item_ids: Iterable[int], *, now: datetime | None = None,
    include_closed: bool = False, group_mass_reports: bool = False,
    assigned_to_id: int | None = None,
) -> ItemsRefresh:
    """The current rows of these items' children as the listing shows them (a live queue
    re-reads just what changed; the queue listing was audited when it was first read)."""
    actor.require(Action.VIEW_QUEUE)
    now = now or utc_now()
    listing = _listing(session, now=now, include_closed=include_closed,
                       group_mass_reports=group_mass_reports, assigned_to_id=assigned_to_id)
    ids = sorted(set(item_ids))
    children = frozenset(session.execute(
        select(QueueItem.child_id).where(QueueItem.id.in_(ids))).scalars()) if ids else frozenset()
    rows = _queue_rows(session, listing, rows_of_children(session, listing, children))
    return ItemsRefresh(rows, children, now, listing.protection_soon)


def changed_since(
    session: Session, actor: Actor, *, since_updated: datetime | None, since_now: datetime,
    now: datetime, limit: int = 2000,
) -> tuple[list[int] | None, datetime | None]:
    """The items a periodic refresh re-reads (see `keyset.changed_item_ids`) and the marker
    for the next one. None for the ids when there are too many: reload instead."""
    actor.require(Action.VIEW_QUEUE)
    marker = latest_update(session)
    if since_updated is None:
        return [], marker
    listing = Listing(now=now, protection_soon=protection_soon_window(session))
    ids = changed_item_ids(session, listing, since_updated=since_updated - CLOCK_SKEW,
                           since_now=since_now, limit=limit)
    return ids, marker


def list_child_items(
    session: Session, actor: Actor, child_id: int, *, now: datetime | None = None
) -> tuple[QueueRow, ...]:
    """Every open item of one child, most urgent first (a mass-report group opened up)."""
    actor.require(Action.VIEW_QUEUE)
    now = now or utc_now()
    listing = _listing(session, now=now, include_closed=False, group_mass_reports=False,
                       assigned_to_id=None)
    found = sorted(rows_of_children(session, listing, [child_id]),
                   key=lambda pair: (pair[0], pair[1].next_due, pair[1].id))
    rows = _queue_rows(session, listing, found)
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


@dataclass(frozen=True)
class ChildHistory:
    child_id: int
    entries: tuple[HistoryEntry, ...]
    """The most recent reports first: at most `HISTORY_PAGE` of them; `history_page` reads
    the rest on demand."""
    count_last_12_months: int
    total: int = 0
    """Every report about the child (also those beyond `entries`)."""
    open_entries: tuple[HistoryEntry, ...] = ()
    """Every item about the child still open in this unit, newest first, also beyond the page."""

    @property
    def complete(self) -> bool:
        return len(self.entries) >= self.total

    @property
    def next_cursor(self) -> tuple[datetime, int] | None:
        """Where the next page starts (keyset: received_at, item id), None when all is read."""
        if self.complete or not self.entries:
            return None
        last = self.entries[-1]
        return (last.received_at, last.item_id)


HISTORY_PAGE = 50
"""How many of a child's reports opening an item reads: a child reported a thousand times
opens about as fast as a child reported once."""


def _history_select():  # type: ignore[no-untyped-def]
    return (
        select(QueueItem.id, QueueItem.report_id, QueueItem.received_at, Report.channel,
               Report.reporter_category, Report.concern_codes, QueueItem.status, QueueItem.outcome,
               QueueItem.flag_immediate_danger, QueueItem.flag_violence, QueueItem.flag_repeat,
               QueueItem.flag_data_quality, QueueItem.next_due)
        .join(Report, QueueItem.report_id == Report.id)
    )


def _entries(rows: Iterable[Any]) -> tuple[HistoryEntry, ...]:
    # columns, not objects, unpacked by position
    return tuple(
        HistoryEntry(item_id, report_id, received_at, channel, category, tuple(concerns), status,
                     outcome, tuple(flag_names(danger, violence, repeat, quality)),
                     None if is_decided(status) else due)
        for (item_id, report_id, received_at, channel, category, concerns, status, outcome,
             danger, violence, repeat, quality, due) in rows
    )


def _history_page(session: Session, child_id: int, after: tuple[datetime, int] | None,
                  limit: int) -> tuple[HistoryEntry, ...]:
    query = _history_select().where(QueueItem.child_id == child_id)
    if after is not None:
        received, item_id = after
        query = query.where(or_(QueueItem.received_at < received,
                                and_(QueueItem.received_at == received, QueueItem.id < item_id)))
    return _entries(session.execute(
        query.order_by(QueueItem.received_at.desc(), QueueItem.id.desc()).limit(limit)).all())


def _history(session: Session, child_id: int, now: datetime) -> ChildHistory:
    """The first page of a child's history, the counts, and the open items: bounded reads, so
    a child reported a thousand times opens about as fast as any other."""
    entries = _history_page(session, child_id, None, HISTORY_PAGE)
    total, recent = session.execute(
        select(func.count(), func.count().filter(QueueItem.received_at >= now - HISTORY_WINDOW))
        .where(QueueItem.child_id == child_id)
    ).one()
    if len(entries) >= total:
        open_entries = tuple(e for e in entries if e.open)
    else:
        open_entries = _entries(session.execute(
            _history_select().where(QueueItem.child_id == child_id,
                                    QueueItem.status.not_in(DECIDED_STATUSES))
            .order_by(QueueItem.received_at.desc(), QueueItem.id.desc())).all())
    return ChildHistory(child_id, entries, recent, total, open_entries)


def history_page(
    session: Session, actor: Actor, child_id: int, *, after: tuple[datetime, int],
    limit: int = HISTORY_PAGE, now: datetime | None = None,
) -> tuple[HistoryEntry, ...]:
    """The child's reports received before `after` (a `ChildHistory.next_cursor`), newest
    first: the rest of the history on demand. Audited like the first page."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    entries = _history_page(session, child_id, after, limit)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="history_read",
        entity_type="child", entity_id=child_id, child_id=child_id,
        details={"rows": len(entries), "page": True}, now=now,
    )
    return entries


def child_history(
    session: Session, actor: Actor, child_id: int, *, now: datetime | None = None
) -> ChildHistory:
    """A child's reports, newest first (the first `HISTORY_PAGE`; `history_page` reads on),
    the open ones, and the counts."""
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
    listed = session.execute(row_select().where(QueueItem.id == item.id)).one()
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
        row=_row(listed),
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
