"""The queue read as index ranges: each page costs the same at any size.

Every tier of `rules.urgency` is one or two ranges of the index (urgency_class, next_due, id)
at a given moment (`rules.urgency.tier_ranges`), so a page walks the tiers in order and reads
each with an index range scan after the cursor, `LIMIT` the rows still missing: no sort of
the open set, no OFFSET, no Python pass over it. The mass-report grouping is a correlated
condition per row over the child's own items (index on child_id), so it too costs per row
read, not per open item.
"""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session

from mottagning.models import Child, QueueItem, Report, User
from mottagning.rules.urgency import (
    OPEN_CLASSES,
    Tier,
    TierRange,
    UrgencyClass,
    tier_of,
    tier_ranges,
)

OPEN_CLASS_VALUES = tuple(int(k) for k in OPEN_CLASSES)
# Core columns and aliases, made once: the page statements are built per page and ORM
# attribute adaptation would cost more than the queries themselves.
ITEMS = QueueItem.__table__
Q = ITEMS.c
_RECENT = ITEMS.alias("recent_items")
_OTHER = ITEMS.alias("other_items")


def _sqlite_index_hint(_compiler: SQLiteCompiler, _table: Any, text: str | None) -> str | None:
    return text


# SQLAlchemy's SQLite dialect drops `with_hint`; SQLite's `INDEXED BY` is its hint. Without it
# SQLite's planner (no statistics on a new file) reads "Mina ärenden" along the index of all
# items, skipping other handläggares' rows: still no sort, but not bounded. INDEXED BY also
# makes a missing index an error instead of a slow queue.
SQLiteCompiler.get_from_hint_text = _sqlite_index_hint  # type: ignore[method-assign]


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


@dataclass(frozen=True)
class QueueCursor:
    """Where a page ended: the last row's key at the listing's moment `now` (the next page is
    read at the same moment, so pages never overlap or skip)."""

    now: datetime
    tier: int
    next_due: datetime
    item_id: int


@dataclass(frozen=True)
class Listing:
    """What is listed: the moment, the soon-window, the filters and the grouping rule."""

    now: datetime
    protection_soon: timedelta
    include_closed: bool = False
    group: MassReportRule | None = None
    assigned_to_id: int | None = None

    def tiers(self) -> tuple[Tier, ...]:
        return tuple(t for t in Tier if self.include_closed or t is not Tier.CLOSED)

    def classes(self) -> tuple[int, ...]:
        closed = (int(UrgencyClass.CLOSED),) if self.include_closed else ()
        return OPEN_CLASS_VALUES + closed


# The columns a queue row shows; the report's text is not among them.
_CHILD, _REPORT, _USER = Child.__table__.c, Report.__table__.c, User.__table__.c
ROW_COLUMNS = (
    Q.id, Q.report_id, Q.child_id, Q.received_at, Q.protection_due, Q.decision_due,
    Q.decision_due_extended, Q.status, Q.flag_immediate_danger, Q.flag_violence, Q.flag_repeat,
    Q.flag_data_quality, Q.next_due, _CHILD.name.label("child_name"), _CHILD.personnummer,
    _CHILD.birth_date, _CHILD.protected_identity,
    # the code lists as the stored text: `codes()` decodes each distinct list once
    type_coerce(_REPORT.concern_codes, Text).label("concern_codes"),
    _REPORT.reporter_category, _REPORT.channel,
    type_coerce(_REPORT.data_quality_warnings, Text).label("data_quality_warnings"),
    _USER.full_name.label("assigned_to"),
)


@functools.lru_cache(maxsize=4096)
def _decoded(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def codes(value: Any) -> tuple[str, ...]:
    """A row's code list (concern codes, data-quality warnings): SQLite gives the stored JSON
    text, decoded once per distinct list (a page repeats a few dozen combinations); a driver
    that decodes JSON itself (psycopg) gives the list."""
    if value is None:
        return ()
    if isinstance(value, str):
        return _decoded(value)
    return tuple(value)
_ROWS_FROM = (
    ITEMS.join(Child.__table__, Q.child_id == _CHILD.id)
    .join(Report.__table__, Q.report_id == _REPORT.id)
    .outerjoin(User.__table__, Q.assigned_to_id == _USER.id)
)


def row_select() -> Select[Any]:
    return select(*ROW_COLUMNS).select_from(_ROWS_FROM)


def _in_range(item: Any, stretch: TierRange) -> ColumnElement[bool]:
    terms = [item.urgency_class == int(stretch.kind)]
    if stretch.due_from is not None:
        terms.append(item.next_due >= stretch.due_from)
    if stretch.due_until is not None:
        terms.append(item.next_due < stretch.due_until)
    return and_(*terms)


def _in_tier(item: Any, tier: Tier, listing: Listing) -> ColumnElement[bool]:
    return or_(*(_in_range(item, s)
                 for s in tier_ranges(tier, now=listing.now, protection_soon=listing.protection_soon)))


def _assigned(item: Any, listing: Listing) -> ColumnElement[bool]:
    if listing.assigned_to_id is None:
        return true()
    return item.assigned_to_id == listing.assigned_to_id


def _hidden_by_group(tier: Tier, listing: Listing) -> ColumnElement[bool]:
    """True for a row of `tier` that a more urgent open item of the same child stands for
    (the child has a burst of recent reports): a burst is one row, its most urgent item."""
    rule = listing.group
    if rule is None or tier is Tier.CLOSED:
        return false()
    recent, other = _RECENT.c, _OTHER.c
    burst = select(func.count()).where(
        recent.child_id == Q.child_id, recent.urgency_class.in_(OPEN_CLASS_VALUES),
        recent.received_at >= listing.now - timedelta(days=rule.days), _assigned(recent, listing),
    ).scalar_subquery() >= rule.count
    before = [_in_tier(other, t, listing) for t in Tier if t < tier and t is not Tier.CLOSED]
    same_tier_before = and_(
        _in_tier(other, tier, listing),
        tuple_(other.next_due, other.id) < tuple_(Q.next_due, Q.id),
    )
    more_urgent = exists().where(
        other.child_id == Q.child_id, other.urgency_class.in_(OPEN_CLASS_VALUES),
        _assigned(other, listing), or_(*before, same_tier_before),
    )
    return and_(burst, more_urgent)


def tier_query(stretch: TierRange, tier: Tier, listing: Listing, *,
               after: QueueCursor | None = None, ranged: bool = True) -> Select[Any]:
    """The rows of one index range of `tier`, in (next_due, id) order (no LIMIT yet);
    `ranged=False` leaves the index to the planner (a few children's items)."""
    query = row_select().where(_in_range(Q, stretch), _assigned(Q, listing),
                                not_(_hidden_by_group(tier, listing)))
    if after is not None and tier == after.tier:
        cursor = tuple_(literal(after.next_due, Q.next_due.type), literal(after.item_id))
        query = query.where(tuple_(Q.next_due, Q.id) > cursor)
    if ranged:
        index = "ix_queue_items_urgency" if listing.assigned_to_id is None else "ix_queue_items_assigned_urgency"
        query = query.with_hint(ITEMS, f"INDEXED BY {index}", "sqlite")
    return query.order_by(Q.next_due, Q.id)


def read_page(session: Session, listing: Listing, *, after: QueueCursor | None,
              limit: int) -> list[tuple[Tier, Any]]:
    """Up to `limit` rows after `after`, most urgent first, each with its tier."""
    rows: list[tuple[Tier, Any]] = []
    for tier in listing.tiers():
        if after is not None and tier < after.tier:
            continue
        missing = limit - len(rows)
        if missing <= 0:
            break
        stretches = tier_ranges(tier, now=listing.now, protection_soon=listing.protection_soon)
        # read lazily: of two ranges merged, only the rows the page takes are stepped through
        streams = [session.execute(tier_query(s, tier, listing, after=after).limit(missing))
                   for s in stretches]
        try:
            merged = streams[0] if len(streams) == 1 else heapq.merge(
                *streams, key=lambda row: (row.next_due, row.id))
            rows.extend((tier, row) for row in islice(merged, missing))
        finally:
            for stream in streams:
                stream.close()
    return rows


def rows_of_children(session: Session, listing: Listing,
                     child_ids: Iterable[int]) -> list[tuple[Tier, Any]]:
    """The rows the listing shows for these children (a refresh of a few items).

    Only the index ranges the children's items are in are read: their classes and
    deadlines place them (`rules.urgency.tier_of`), so a refresh runs one small statement
    and then one per range it needs (usually one), not one per tier of the listing."""
    children = sorted(set(child_ids))
    if not children:
        return []
    placed = session.execute(
        select(Q.urgency_class, Q.next_due)
        .where(Q.child_id.in_(children), Q.urgency_class.in_(listing.classes()),
               _assigned(Q, listing))
    ).all()
    wanted = {(tier_of(UrgencyClass(kind), due, now=listing.now,
                       protection_soon=listing.protection_soon), int(kind))
              for kind, due in placed}
    found: list[tuple[Tier, Any]] = []
    for tier in listing.tiers():
        for stretch in tier_ranges(tier, now=listing.now, protection_soon=listing.protection_soon):
            if (tier, int(stretch.kind)) not in wanted:
                continue
            query = tier_query(stretch, tier, listing, ranged=False).where(Q.child_id.in_(children))
            found.extend((tier, row) for row in session.execute(query))
    return found


def count_listed(session: Session, listing: Listing) -> int:
    """How many rows the whole listing has: the listed classes counted on the index, less
    the items a mass-report group hides (bursts are found among the last days' items)."""
    items = session.execute(
        select(func.count()).select_from(ITEMS)
        .where(Q.urgency_class.in_(listing.classes()), _assigned(Q, listing))
    ).scalar_one()
    rule = listing.group
    if rule is None:
        return int(items)
    # the last days' items on (received_at, urgency_class, child_id): without the hint SQLite's
    # planner walks every open item on the urgency index instead (grows with the open set)
    bursts = (
        select(Q.child_id)
        .where(Q.received_at >= listing.now - timedelta(days=rule.days),
               Q.urgency_class.in_(OPEN_CLASS_VALUES), _assigned(Q, listing))
        .group_by(Q.child_id)
        .having(func.count() >= rule.count)
        .with_hint(ITEMS, "INDEXED BY ix_queue_items_received_urgency", "sqlite")
    )
    in_bursts, burst_children = session.execute(
        select(func.count(), func.count(func.distinct(Q.child_id)))
        .where(Q.child_id.in_(bursts), Q.urgency_class.in_(OPEN_CLASS_VALUES), _assigned(Q, listing))
    ).one()
    hidden = in_bursts - burst_children  # each burst child shows one row
    return int(items - hidden)


def open_counts(session: Session, listing: Listing, child_ids: Sequence[int]) -> dict[int, int]:
    """child id → open items, for the burst children among `child_ids` (the group sizes)."""
    rule = listing.group
    if rule is None or not child_ids:
        return {}
    recent = Q.received_at >= listing.now - timedelta(days=rule.days)
    rows = session.execute(
        select(Q.child_id, func.count(),
               func.sum(case((recent, 1), else_=0)))
        .where(Q.child_id.in_(sorted(set(child_ids))),
               Q.urgency_class.in_(OPEN_CLASS_VALUES), _assigned(Q, listing))
        .group_by(Q.child_id)
    )
    return {child: int(count) for child, count, in_burst in rows if (in_burst or 0) >= rule.count}


def changed_item_ids(session: Session, listing: Listing, *, since_updated: datetime,
                     since_now: datetime, limit: int) -> list[int] | None:
    """The items a refresh at `listing.now` must re-read after one at `since_now`: changed
    since `since_updated`, or moved to another tier by the clock alone (a deadline passed or
    came within the soon-window). None when more than `limit` (reload instead)."""
    moved = [
        TierRange(UrgencyClass.PROTECTION, since_now, listing.now),
        TierRange(UrgencyClass.DECISION, since_now, listing.now),
        TierRange(UrgencyClass.PROTECTION, since_now + listing.protection_soon,
                  listing.now + listing.protection_soon),
    ]
    queries = [select(Q.id).where(Q.updated_at >= since_updated)]
    if listing.now > since_now:
        queries += [select(Q.id).where(_in_range(Q, m)) for m in moved]
    found: set[int] = set()
    for query in queries:
        found.update(session.execute(query.limit(limit + 1)).scalars())
        if len(found) > limit:
            return None
    return sorted(found)


def latest_update(session: Session) -> datetime | None:
    """The newest `updated_at` of any item (the index's last entry)."""
    return session.execute(select(func.max(Q.updated_at))).scalar_one()
