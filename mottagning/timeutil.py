"""Time in the unit's own zone, Swedish date formatting and an injectable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

MONTHS_SV = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)

Clock = Callable[[], datetime]


# The clock of the running use case: the GUI runs every service call in its window's clock
# (`clock_in_force`), so a service that is given no `now` still uses the injected clock.
_clock_in_force: ContextVar[Clock | None] = ContextVar("clock_in_force", default=None)


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC: the clock in force, else the wall clock."""
    clock = _clock_in_force.get()
    return clock() if clock is not None else datetime.now(UTC)


@contextmanager
def clock_in_force(clock: Clock) -> Iterator[None]:
    """Run the block with `clock` as `utc_now()` (in this thread or task only)."""
    if clock is utc_now:
        yield
        return
    token = _clock_in_force.set(clock)
    try:
        yield
    finally:
        _clock_in_force.reset(token)


def to_local(moment: datetime) -> datetime:
    """A timezone-aware moment in Europe/Stockholm (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM)


def as_utc(moment: datetime) -> datetime:
    """A timezone-aware moment in UTC (naive values are taken as UTC, as the database stores them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_date_sv(value: date | datetime) -> str:
    """'23 november 2026' (a datetime is first converted to Stockholm time)."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.day} {MONTHS_SV[value.month - 1]} {value.year}"


def format_datetime_sv(value: datetime) -> str:
    """'23 november 2026 kl. 14.05' in Stockholm time."""
    local = to_local(value)
    return f"{format_date_sv(local.date())} kl. {local:%H.%M}"


def format_duration_sv(seconds: float) -> str:
    """A compact Swedish duration such as '3 d 4 h', '5 h 12 min', '-2 h 3 min' for overdue."""
    sign = "-" if seconds < 0 else ""
    total_minutes = int(abs(seconds) // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"
