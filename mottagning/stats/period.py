"""The period a statistic covers: whole local days, Europe/Stockholm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mottagning.errors import ValidationError
from mottagning.timeutil import STOCKHOLM, as_utc, to_local

REPEAT_WINDOW_DAYS = 365


def local_midnight(day: date) -> datetime:
    """00:00 Stockholm time on `day`, in UTC."""
    return as_utc(datetime.combine(day, time(0, 0), tzinfo=STOCKHOLM))


@dataclass(frozen=True)
class Period:
    """From the first to the last day, both included, in local time."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValidationError(["Periodens slutdatum ligger före startdatumet."])

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def repeat_window_start(self) -> datetime:
        """Where the 12 months of the repeat-report figures begin (365 days before the end)."""
        return local_midnight(self.last_day + timedelta(days=1 - REPEAT_WINDOW_DAYS))

    def as_json(self) -> dict[str, str]:
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}

    @classmethod
    def default(cls, now: datetime) -> Period:
        """The calendar year so far: 1 January up to and including today."""
        today = to_local(now).date()
        return cls(date(today.year, 1, 1), today)

    @classmethod
    def parse(cls, first: str | None, last: str | None, *, now: datetime) -> Period:
        """From `--from`/`--to` (YYYY-MM-DD); a missing end is today, a missing start 1 January
        of the end's year."""
        try:
            last_day = date.fromisoformat(last) if last else to_local(now).date()
            first_day = date.fromisoformat(first) if first else date(last_day.year, 1, 1)
        except ValueError as exc:
            raise ValidationError([f"Ogiltigt datum (skriv ÅÅÅÅ-MM-DD): {exc}"]) from exc
        return cls(first_day, last_day)


def weeks(period: Period) -> list[tuple[str, datetime, datetime]]:
    """The ISO weeks the period touches: (label, start, end), clipped to the period."""
    result = []
    monday = period.first_day - timedelta(days=period.first_day.weekday())
    while monday <= period.last_day:
        year, week, _ = monday.isocalendar()
        start = max(local_midnight(monday), period.start)
        end = min(local_midnight(monday + timedelta(days=7)), period.end)
        result.append((f"{year}-W{week:02d}", start, end))
        monday += timedelta(days=7)
    return result


def months(period: Period) -> list[tuple[str, datetime, datetime]]:
    """The calendar months the period touches: (label 'YYYY-MM', start, end), clipped."""
    result = []
    first = period.first_day.replace(day=1)
    while first <= period.last_day:
        following = (first + timedelta(days=32)).replace(day=1)
        start = max(local_midnight(first), period.start)
        end = min(local_midnight(following), period.end)
        result.append((f"{first:%Y-%m}", start, end))
        first = following
    return result
