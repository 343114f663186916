"""Deadlines, all counted from the moment of receipt in Europe/Stockholm."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from mottagning.rules.status import Status, is_decided
from mottagning.timeutil import STOCKHOLM, as_utc, to_local

PROTECTION_HOURS = 24
DECISION_DAYS = 14
WARNING_HOURS = 4


def protection_due(received_at: datetime) -> datetime:
    """Skyddsbedömning: 24 elapsed hours after receipt (DST changes do not stretch it)."""
    return as_utc(received_at) + timedelta(hours=PROTECTION_HOURS)


def end_of_local_day(day: date) -> datetime:
    """23:59:59 Stockholm time on `day`, in UTC: a deadline "on a day" lasts the whole day."""
    return as_utc(datetime.combine(day, time(23, 59, 59), tzinfo=STOCKHOLM))


def decision_due(received_at: datetime) -> datetime:
    """Förhandsbedömning: 23:59:59 local time on the 14th calendar day after the day of receipt."""
    return end_of_local_day(to_local(received_at).date() + timedelta(days=DECISION_DAYS))


def applicable_decision_due(decision_due: datetime, decision_due_extended: datetime | None) -> datetime:
    """The decision deadline that applies: the extended one once a senior has signed an
    extension for synnerliga skäl, otherwise the 14 days."""
    return decision_due_extended or decision_due


def next_deadline(status: str, protection_due: datetime, decision_due: datetime,
                  decision_due_extended: datetime | None) -> datetime | None:
    """The deadline that comes next for an item in this status: the skyddsbedömning until it
    is done, then the applicable decision deadline; None once the decision is signed."""
    if is_decided(status):
        return None
    if status == Status.RECEIVED:
        return protection_due
    return applicable_decision_due(decision_due, decision_due_extended)


def seconds_left(due: datetime, now: datetime) -> float:
    """Seconds until `due`; negative when overdue."""
    return (as_utc(due) - as_utc(now)).total_seconds()


def urgency(seconds: float) -> str:
    """'overdue', 'soon' (under 4 hours) or 'ok', for colouring."""
    if seconds < 0:
        return "overdue"
    if seconds < WARNING_HOURS * 3600:
        return "soon"
    return "ok"
