"""Deadlines count from receipt in Europe/Stockholm, across month ends and DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mottagning.rules.deadlines import decision_due, protection_due, seconds_left, urgency
from mottagning.timeutil import format_date_sv, format_duration_sv

STHLM = ZoneInfo("Europe/Stockholm")


def test_protection_due_is_24_elapsed_hours_even_across_dst_end() -> None:
    received = datetime(2026, 10, 24, 12, 0, tzinfo=STHLM)  # DST ends 25 October 03:00
    due = protection_due(received)
    assert due - received.astimezone(UTC) == timedelta(hours=24)
    assert due.astimezone(STHLM).hour == 11


def test_decision_due_is_end_of_14th_calendar_day_local_time() -> None:
    received = datetime(2026, 11, 10, 8, 0, tzinfo=STHLM)
    assert decision_due(received).astimezone(STHLM) == datetime(2026, 11, 24, 23, 59, 59, tzinfo=STHLM)


def test_decision_due_received_just_before_midnight_on_31_october() -> None:
    received = datetime(2026, 10, 31, 23, 59, tzinfo=STHLM)
    due = decision_due(received).astimezone(STHLM)
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2026, 11, 14, 23, 59)


def test_receipt_late_in_utc_counts_on_the_local_day() -> None:
    received_utc = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)  # 1 November 00:30 in Stockholm
    due = decision_due(received_utc).astimezone(STHLM)
    assert due.date().isoformat() == "2026-11-15"


def test_decision_due_across_dst_start_keeps_local_midnight() -> None:
    received = datetime(2026, 3, 20, 10, 0, tzinfo=STHLM)  # DST starts 29 March
    due = decision_due(received).astimezone(STHLM)
    assert (due.month, due.day, due.hour, due.minute, due.second) == (4, 3, 23, 59, 59)
    assert due.utcoffset() == timedelta(hours=2)


def test_leap_day_receipt() -> None:
    received = datetime(2028, 2, 29, 9, 0, tzinfo=STHLM)
    assert decision_due(received).astimezone(STHLM).date().isoformat() == "2028-03-14"


def test_month_end_receipt() -> None:
    received = datetime(2026, 1, 31, 9, 0, tzinfo=STHLM)
    assert decision_due(received).astimezone(STHLM).date().isoformat() == "2026-02-14"


def test_urgency_colours() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert urgency(seconds_left(now - timedelta(minutes=1), now)) == "overdue"
    assert urgency(seconds_left(now + timedelta(hours=3), now)) == "soon"
    assert urgency(seconds_left(now + timedelta(hours=5), now)) == "ok"


def test_swedish_date_and_duration_formats() -> None:
    assert format_date_sv(datetime(2026, 11, 23, 22, 30, tzinfo=UTC)) == "23 november 2026"
    assert format_date_sv(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)) == "24 november 2026"
    assert format_duration_sv(3 * 86400 + 4 * 3600 + 60) == "3 d 4 h"
    assert format_duration_sv(-(2 * 3600 + 3 * 60)) == "-2 h 3 min"
