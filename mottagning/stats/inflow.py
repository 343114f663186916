"""The inflow watch: a channel or an e-service source whose reports suddenly dwindle.

In Sollefteå the workload grew so fast that nobody noticed that one channel had stopped
delivering. For each channel and each e-service source the last 7 days are compared with
the weekly average of the 8 weeks before them; below the configured share (default 40 %)
an `inflow_drop` alarm opens. It closes by itself when the inflow is back above the share,
or a senior closes it with a reason; after that it is not raised again for the same channel
or source until a week has passed.

A channel or source averaging fewer than `inflow_min_weekly` reports a week (default 3) is
not watched: with so few, an empty week says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from mottagning.context import Actor, Changes
from mottagning.i18n import _
from mottagning.intake.alarms import close_alarm, open_alarm
from mottagning.models import Alarm, Report
from mottagning.rules.codes import channel_label
from mottagning.settings import setting
from mottagning.stats import sql
from mottagning.timeutil import as_utc

INFLOW_DROP = "inflow_drop"
SHARE_KEY = "inflow_drop_share"
DEFAULT_SHARE = 0.4
MIN_WEEKLY_KEY = "inflow_min_weekly"
DEFAULT_MIN_WEEKLY = 3.0
BASELINE_WEEKS = 8
QUIET_AFTER_CLOSE = timedelta(days=7)


@dataclass(frozen=True)
class Inflow:
    """One channel or source: reports per 7-day window, oldest first; the last is the latest."""

    dimension: str  # "channel" or "source"
    name: str
    weekly: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.dimension}:{self.name}"

    @property
    def last_7_days(self) -> int:
        return self.weekly[-1]

    @property
    def weekly_average(self) -> float:
        return sum(self.weekly[:-1]) / BASELINE_WEEKS

    def dropped(self, share: float, min_weekly: float) -> bool:
        return self.weekly_average >= min_weekly and self.last_7_days < share * self.weekly_average

    @property
    def label(self) -> str:
        if self.dimension == "channel":
            return _("kanalen {name}").format(name=channel_label(self.name))
        return _("e-tjänsten {name}").format(name=self.name)

    def as_json(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "name": self.name, "last_7_days": self.last_7_days,
                "weekly_average": round(self.weekly_average, 2), "weekly": list(self.weekly)}


def _windows(now: datetime) -> list[tuple[str, datetime, datetime]]:
    """Nine 7-day windows ending at `now`, oldest first (labelled 0–8)."""
    return [(str(index), now - timedelta(days=7 * (BASELINE_WEEKS + 1 - index)),
             now - timedelta(days=7 * (BASELINE_WEEKS - index)))
            for index in range(BASELINE_WEEKS + 1)]


def measure_inflow(session: Session, *, now: datetime) -> list[Inflow]:
    """The reports of the last nine 7-day windows per channel and per e-service source."""
    now = as_utc(now)
    window = sql.buckets("windows", _windows(now))
    result: list[Inflow] = []
    for dimension, column in (("channel", Report.channel), ("source", Report.source)):
        counts: dict[str, list[int]] = {}
        rows = session.execute(
            select(column, window.c.label, func.count(Report.id))
            .select_from(window)
            .join(Report, and_(Report.received_at >= window.c.bucket_start,
                               Report.received_at < window.c.bucket_end))
            .where(column.is_not(None))
            .group_by(column, window.c.label)
        )
        for name, label, n in rows:
            counts.setdefault(name, [0] * (BASELINE_WEEKS + 1))[int(label)] = int(n)
        result += [Inflow(dimension, name, tuple(weekly)) for name, weekly in sorted(counts.items())]
    return result


def _recently_closed_by_person(session: Session, key: str, now: datetime) -> bool:
    return session.execute(
        select(Alarm.id).where(Alarm.kind == INFLOW_DROP, Alarm.key == key,
                               Alarm.closed_by_id.is_not(None),
                               Alarm.closed_at > now - QUIET_AFTER_CLOSE)
    ).first() is not None


def _detail(inflow: Inflow, share: float) -> str:
    average = f"{inflow.weekly_average:.1f}".replace(".", ",")
    return _(
        "Inflödet via {label} har minskat: {last} anmälningar de senaste 7 dagarna mot i snitt "
        "{average} per vecka de 8 veckorna före (larmgräns {share} %). Veckorna: {series}. "
        "Kontrollera att kanalen fungerar och att inga anmälningar fastnat."
    ).format(label=inflow.label, last=inflow.last_7_days, average=average,
             share=round(share * 100), series=" ".join(str(n) for n in inflow.weekly))


def refresh_inflow(session: Session, actor: Actor, *, now: datetime) -> Changes:
    """Open an `inflow_drop` alarm for each channel or source below the share; close the open
    ones whose inflow has recovered. Runs as the system user (like the silence watch)."""
    now = as_utc(now)
    share = float(setting(session, SHARE_KEY))
    min_weekly = float(setting(session, MIN_WEEKLY_KEY))
    changed = False
    measured = {inflow.key: inflow for inflow in measure_inflow(session, now=now)}
    for inflow in measured.values():
        if inflow.dropped(share, min_weekly) and not _recently_closed_by_person(session, inflow.key, now):
            _alarm, opened = open_alarm(
                session, actor, kind=INFLOW_DROP, key=inflow.key,
                source=inflow.name if inflow.dimension == "source" else None,
                detail=_detail(inflow, share), now=now, partial=inflow.as_json())
            changed = changed or opened
    open_alarms = session.execute(
        select(Alarm).where(Alarm.kind == INFLOW_DROP, Alarm.closed_at.is_(None))
    ).scalars().all()
    for alarm in open_alarms:
        inflow = measured.get(alarm.key)
        # Recovered means back above the share of a baseline still worth watching; a channel
        # that has faded out altogether stays alarmed until a senior closes it.
        if inflow is not None and inflow.weekly_average >= min_weekly \
                and not inflow.dropped(share, min_weekly):
            close_alarm(session, actor, alarm, now=now, by_person=False,
                        reason=_("Inflödet är tillbaka över larmgränsen."))
            changed = True
    return Changes(alarms=changed)
