"""The queue's order: the child's safety first, then the deadlines.

One rule, in this module: `urgency` for one item; `urgency_class` is what is stored and
indexed on each item (with its next deadline) and `tier_ranges` says which stretch of that
index is which tier at a moment, so the queue service reads each tier as an index range
(`mottagning.queue.listing`); a test checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.status import Status
from mottagning.timeutil import as_utc

# The default of the setting (resources/settings.toml), for callers without a database.
DEFAULT_PROTECTION_SOON_HOURS = 4.0
PROTECTION_SOON_SETTING = "protection_soon_hours"


class Tier(IntEnum):
    """The urgency tiers, most urgent first."""

    IMMEDIATE_DANGER = 0
    """Immediate danger and the skyddsbedömning is not finished (counted)."""
    PROTECTION_OVERDUE = 1
    PROTECTION_DUE_SOON = 2
    """The skyddsbedömning falls due within the setting's hours (default 4)."""
    DECISION_OVERDUE = 3
    NEXT_DEADLINE = 4
    DECIDED = 5
    """A signed decision has no deadline left in this unit: after all open work."""
    CLOSED = 6


@dataclass(frozen=True)
class Urgency:
    tier: Tier
    next_due: datetime

    def key(self, item_id: int) -> tuple[int, datetime, int]:
        """The full sort key: tier, then the deadline that comes next, then the id."""
        return (int(self.tier), self.next_due, item_id)


def next_due(*, status: str, protection_due: datetime, decision_due: datetime,
             decision_due_extended: datetime | None = None) -> datetime:
    """The deadline that comes next: the skyddsbedömning's until it counts, then the decision's."""
    if status == Status.RECEIVED:
        return as_utc(protection_due)
    return as_utc(applicable_decision_due(decision_due, decision_due_extended))


class UrgencyClass(IntEnum):
    """What an item's tier depends on besides the clock, stored on the item and indexed.

    The tier of an item is its class plus where its next deadline lies relative to now, so
    each tier of the queue is a range of the index (class, next_due, id) at any moment and
    nothing needs re-ranking when time passes."""

    DANGER = 0
    """Immediate danger, skyddsbedömning not finished (counted): always tier 0."""
    PROTECTION = 1
    """Skyddsbedömning not finished: overdue, due soon or next deadline by its due time."""
    DECISION = 2
    """Skyddsbedömning done, decision open: overdue or next deadline by its due time."""
    DECIDED = 5
    CLOSED = 6


OPEN_CLASSES = (UrgencyClass.DANGER, UrgencyClass.PROTECTION, UrgencyClass.DECISION,
                UrgencyClass.DECIDED)
"""The classes of the items in the unit's queue (a signed, not yet handed-over item is open)."""


def urgency_class(*, status: str, immediate_danger: bool) -> UrgencyClass:
    """The class of an item in this status (changes only when the item changes)."""
    if status == Status.CLOSED:
        return UrgencyClass.CLOSED
    if status == Status.DECISION_SIGNED:
        return UrgencyClass.DECIDED
    if status == Status.RECEIVED:
        return UrgencyClass.DANGER if immediate_danger else UrgencyClass.PROTECTION
    return UrgencyClass.DECISION


def tier_of(kind: UrgencyClass, due: datetime, *, now: datetime,
            protection_soon: timedelta = timedelta(hours=DEFAULT_PROTECTION_SOON_HOURS)) -> Tier:
    """The tier of an item of class `kind` whose next deadline is `due`, at `now`."""
    due, now = as_utc(due), as_utc(now)
    if kind is UrgencyClass.CLOSED:
        return Tier.CLOSED
    if kind is UrgencyClass.DECIDED:
        return Tier.DECIDED
    if kind is UrgencyClass.DANGER:
        return Tier.IMMEDIATE_DANGER
    if kind is UrgencyClass.PROTECTION:
        if due < now:
            return Tier.PROTECTION_OVERDUE
        if due < now + protection_soon:
            return Tier.PROTECTION_DUE_SOON
        return Tier.NEXT_DEADLINE
    return Tier.DECISION_OVERDUE if due < now else Tier.NEXT_DEADLINE


@dataclass(frozen=True)
class TierRange:
    """One stretch of the index (class, next_due, id) that belongs to a tier at some moment:
    `kind`, with next_due in [due_from, due_until) (None = unbounded)."""

    kind: UrgencyClass
    due_from: datetime | None = None
    due_until: datetime | None = None


def tier_ranges(tier: Tier, *, now: datetime, protection_soon: timedelta) -> tuple[TierRange, ...]:
    """The index ranges whose items are in `tier` at `now` (the inverse of `tier_of`). Tier
    NEXT_DEADLINE is two ranges, merged by next_due."""
    soon = now + protection_soon
    ranges = {
        Tier.IMMEDIATE_DANGER: (TierRange(UrgencyClass.DANGER),),
        Tier.PROTECTION_OVERDUE: (TierRange(UrgencyClass.PROTECTION, None, now),),
        Tier.PROTECTION_DUE_SOON: (TierRange(UrgencyClass.PROTECTION, now, soon),),
        Tier.DECISION_OVERDUE: (TierRange(UrgencyClass.DECISION, None, now),),
        Tier.NEXT_DEADLINE: (TierRange(UrgencyClass.PROTECTION, soon, None),
                             TierRange(UrgencyClass.DECISION, now, None)),
        Tier.DECIDED: (TierRange(UrgencyClass.DECIDED),),
        Tier.CLOSED: (TierRange(UrgencyClass.CLOSED),),
    }
    return ranges[tier]


def urgency(*, status: str, immediate_danger: bool, protection_due: datetime,
            decision_due: datetime, decision_due_extended: datetime | None = None,
            now: datetime,
            protection_soon: timedelta = timedelta(hours=DEFAULT_PROTECTION_SOON_HOURS)) -> Urgency:
    """Where a queue item stands: its tier and its next deadline.

    The skyddsbedömning is unfinished while the item is `received` (also while a lowered
    assessment waits for its second signature: it does not count yet).
    """
    due = next_due(status=status, protection_due=protection_due, decision_due=decision_due,
                   decision_due_extended=decision_due_extended)
    kind = urgency_class(status=status, immediate_danger=immediate_danger)
    return Urgency(tier_of(kind, due, now=now, protection_soon=protection_soon), due)
