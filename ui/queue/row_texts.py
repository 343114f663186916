"""What a queue row shows, formatted once per row instead of on every `data()` call.

The table asks its model for each role of each visible cell on every paint (tens of
thousands of calls while scrolling), so the model keeps each row's display texts and
urgency levels ready (`RowTexts`) and answers a call with a tuple lookup. The texts are
made on the database worker thread together with the page (`RowFormatter.prepare`: plain
Python on already translated labels, no Qt object), and again on the GUI thread only when
the clock has moved one of the row's times to another minute (`RowTexts.valid_until`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum

from mottagning.assessment.service import STATUS_LABELS
from mottagning.i18n import ngettext
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE, DRAFT
from mottagning.queue.listing import QueueRow
from mottagning.rules import deadlines
from mottagning.rules.codes import concern_label, reporter_label
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.status import DECIDED_STATUSES, Status, label
from mottagning.terminal import one_line
from mottagning.timeutil import STOCKHOLM, as_utc, format_duration_sv, to_local

UrgencyKey = tuple[int, datetime, int]
EPSILON = timedelta(microseconds=1)


class Column(IntEnum):
    URGENCY = 0
    CHILD = 1
    AGE = 2
    RECEIVED = 3
    PROTECTION_LEFT = 4
    DECISION_LEFT = 5
    # flags, status and assignee before the long texts, so they stay visible in a narrow table
    FLAGS = 6
    STATUS = 7
    ASSIGNED = 8
    CONCERNS = 9
    REPORTER = 10


COLUMNS = len(Column)


def age_text(birth: date | None, today: date) -> str:
    if birth is None:
        return "–"
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if years >= 1:
        return f"{years} år"
    months = (today.year - birth.year) * 12 + today.month - birth.month - (today.day < birth.day)
    return f"{max(months, 0)} mån"


SHORT_MONTHS_SV = ("jan.", "feb.", "mars", "apr.", "maj", "juni",
                   "juli", "aug.", "sep.", "okt.", "nov.", "dec.")


def short_datetime_sv(moment: datetime, now: datetime) -> str:
    """'23 nov. kl. 22.55' (the year only when it is not this year): the table is narrow,
    the detail pane and the tooltip give the full date."""
    local, today = to_local(moment), to_local(now)
    year = f" {local.year}" if local.year != today.year else ""
    return f"{local.day} {SHORT_MONTHS_SV[local.month - 1]}{year} kl. {local:%H.%M}"


def time_left_text(seconds: float) -> str:
    if seconds < 0:
        return f"försenad {format_duration_sv(-seconds)}"
    return format_duration_sv(seconds)


# What a received item's status column says while its skyddsbedömning is under way.
ASSESSMENT_STATUS_LABELS = {k: STATUS_LABELS[k] for k in (DRAFT, AWAITING_SECOND_SIGNATURE)}


def row_urgency(row: QueueRow, now: datetime) -> str:
    """'danger', 'overdue', 'soon' or 'ok' for the urgency column."""
    if row.status in DECIDED_STATUSES:
        return "ok"
    if "immediate_danger" in row.flags and row.status == Status.RECEIVED:
        return "danger"
    return deadlines.urgency(deadlines.seconds_left(row.next_due, now))


def next_minute_change(due: datetime, now: datetime) -> datetime:
    """The last moment at which `time_left_text(seconds_left(due, ·))` (and the urgency level
    of those seconds: its steps are whole minutes) still says what it says at `now`."""
    seconds = deadlines.seconds_left(due, now)
    if seconds >= 0:  # counting down: the whole minutes drop when the seconds pass below them
        return now + timedelta(seconds=seconds % 60)
    return now + timedelta(seconds=60 - (-seconds) % 60) - EPSILON


def next_local_midnight(now: datetime) -> datetime:
    """The first moment of tomorrow in Stockholm (an age, or the year, may change then)."""
    tomorrow = to_local(now).date() + timedelta(days=1)
    return as_utc(datetime.combine(tomorrow, time(), tzinfo=STOCKHOLM)) - EPSILON


@dataclass(frozen=True, slots=True)
class RowTexts:
    display: tuple[str, ...]
    """One plain line per column (control characters in case data become spaces)."""
    levels: tuple[str | None, ...]
    """Per column: 'danger', 'overdue' or 'soon' to colour the cell, None for none."""
    valid_until: datetime
    """The last moment these texts are right; after it they are made again."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A row as the model keeps it: the row, its place at the listing's moment, its texts."""

    row: QueueRow
    key: UrgencyKey
    texts: RowTexts


@dataclass(frozen=True)
class Labels:
    """The translated words the columns use (translated on the GUI thread, read anywhere)."""

    urgency: Mapping[str, str]
    flags: Mapping[str, str]
    done: str
    decided: str
    unassigned: str
    group_one: str
    group_many: str


class RowFormatter:
    """Makes `RowTexts` from rows: pure Python, so the database worker can call it."""

    def __init__(self, labels: Labels):
        self.labels = labels

    def texts(self, row: QueueRow, now: datetime, midnight: datetime | None = None) -> RowTexts:
        labels = self.labels
        valid_until = midnight or next_local_midnight(now)
        decided = row.status in DECIDED_STATUSES
        received = row.status == Status.RECEIVED
        urgency = row_urgency(row, now)
        if not decided and urgency != "danger":
            valid_until = min(valid_until, next_minute_change(row.next_due, now))
        if received:
            protection = deadlines.seconds_left(row.protection_due, now)
            protection_text = time_left_text(protection)
            protection_level = deadlines.urgency(protection)
            valid_until = min(valid_until, next_minute_change(row.protection_due, now))
        else:
            protection_text, protection_level = labels.done, None
        if decided:
            decision_text, decision_level = labels.decided, None
        else:
            due = applicable_decision_due(row.decision_due, row.decision_due_extended)
            decision = deadlines.seconds_left(due, now)
            decision_text, decision_level = time_left_text(decision), deadlines.urgency(decision)
            valid_until = min(valid_until, next_minute_change(due, now))
        if row.group_size > 1:
            child = ngettext(labels.group_one, labels.group_many, row.group_size).format(
                name=row.child_name, n=row.group_size)
        else:
            child = row.child_name
        if received and row.assessment_status in ASSESSMENT_STATUS_LABELS:
            status = ASSESSMENT_STATUS_LABELS[row.assessment_status]
        else:
            status = label(row.status)
        display = (
            labels.urgency[urgency],
            child,
            age_text(row.birth_date, to_local(now).date()),
            short_datetime_sv(row.received_at, now),
            protection_text,
            decision_text,
            ", ".join(labels.flags.get(f, f) for f in row.flags),
            status,
            row.assigned_to or labels.unassigned,
            ", ".join(concern_label(c) for c in row.concern_codes),
            reporter_label(row.reporter_category),
        )
        levels = (
            None if urgency == "ok" else urgency, None, None, None,
            None if protection_level == "ok" else protection_level,
            None if decision_level == "ok" else decision_level,
            None, None, None, None, None,
        )
        # Case data may hold control characters (a forged name): one plain line per cell.
        return RowTexts(tuple(one_line(text) for text in display), levels, valid_until)

    def prepare(self, rows: Iterable[QueueRow], now: datetime, protection_soon: timedelta,
                shown_at: datetime | None = None) -> tuple[Prepared, ...]:
        """Each row with its urgency key at the listing's moment `now` and its texts at
        `shown_at` (the window's clock; `now` when not given)."""
        shown_at = shown_at or now
        midnight = next_local_midnight(shown_at)
        return tuple(Prepared(row, row.urgency_key(now, protection_soon),
                              self.texts(row, shown_at, midnight)) for row in rows)
