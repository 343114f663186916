"""Deadlines, all counted from the moment of receipt in Europe/Stockholm."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from mottagning.timeutil import STOCKHOLM, as_utc, to_local

PROTECTION_HOURS = 24
DECISION_DAYS = 14
WARNING_HOURS = 4


def protection_due(received_at: datetime) -> datetime:
    """Skyddsbedömning: 24 elapsed hours after receipt (DST changes do not stretch it)."""
    return as_utc(received_at) + timedelta(hours=PROTECTION_HOURS)


def decision_due(received_at: datetime) -> datetime:
    """Förhandsbedömning: 23:59:59 local time on the 14th calendar day after the day of receipt."""
    receipt_day = to_local(received_at).date()
    last_day = receipt_day + timedelta(days=DECISION_DAYS)
    return as_utc(datetime.combine(last_day, time(23, 59, 59), tzinfo=STOCKHOLM))


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
