"""The queue's order: the child's safety first, then the deadlines.

One rule, in this one function; the queue service orders its SQL by the same tiers
(`mottagning.queue.listing`) and a test checks that both agree.
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
    now = as_utc(now)
    if status == Status.CLOSED:
        return Urgency(Tier.CLOSED, due)
    if status == Status.DECISION_SIGNED:
        return Urgency(Tier.DECIDED, due)
    if status == Status.RECEIVED:
        if immediate_danger:
            return Urgency(Tier.IMMEDIATE_DANGER, due)
        if due < now:
            return Urgency(Tier.PROTECTION_OVERDUE, due)
        if due < now + protection_soon:
            return Urgency(Tier.PROTECTION_DUE_SOON, due)
        return Urgency(Tier.NEXT_DEADLINE, due)
    if due < now:
        return Urgency(Tier.DECISION_OVERDUE, due)
    return Urgency(Tier.NEXT_DEADLINE, due)
