"""The inflow watch on a synthetic series: a channel that dwindles raises `inflow_drop`, which
closes by itself when the inflow recovers, or by a senior with a reason."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mottagning.cli import main
from mottagning.cli_support import current_actor
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.intake.alarms import acknowledge_alarm, list_open_alarms
from mottagning.intake.reports import ChildInput, NewReport, register_report
from mottagning.models import Alarm
from mottagning.settings import put_setting
from mottagning.stats.inflow import INFLOW_DROP, measure_inflow, refresh_inflow


def _reports(database: Database, actor: Actor, moments: list[datetime], *, channel: str,
             source: str | None = None) -> None:
    with database.transaction() as session:
        for number, moment in enumerate(moments):
            register_report(session, actor, NewReport(
                channel=channel, received_at=moment, reporter_category="skola",
                concern_codes=("forsummelse",), description="Oro.",
                children=(ChildInput(name=f"Barn {channel} {number}"),),
                source=source, submission_id=None if source is None else f"{source}-{moment.isoformat()}",
            ), now=moment)


def _series(now: datetime, per_week: list[int]) -> list[datetime]:
    """`per_week[i]` reports in the 7-day window i (0 = oldest of nine, 8 = the last 7 days)."""
    moments = []
    for index, count in enumerate(per_week):
        window_start = now - timedelta(days=7 * (9 - index))
        moments += [window_start + timedelta(days=1 + day, hours=3) for day in range(count)]
    return moments


@pytest.fixture
def series(database: Database, worker: Actor, now: datetime) -> None:
    # Telephone: 4 a week for eight weeks, then 1. The e-service: steady 3 a week.
    _reports(database, worker, _series(now, [4] * 8 + [1]), channel="telefon")
    _reports(database, worker, _series(now, [3] * 9), channel="etjanst", source="etj")


def _open_inflow(database: Database) -> list[Alarm]:
    with database.transaction() as session:
        return list(session.execute(select(Alarm).where(Alarm.kind == INFLOW_DROP,
                                                        Alarm.closed_at.is_(None))).scalars())


def test_the_last_7_days_are_compared_with_the_weekly_average_of_the_8_weeks_before(
    database: Database, series, now: datetime
) -> None:
    with database.transaction() as session:
        inflow = {i.key: i for i in measure_inflow(session, now=now)}
    assert inflow["channel:telefon"].weekly == (4, 4, 4, 4, 4, 4, 4, 4, 1)
    assert inflow["channel:telefon"].weekly_average == 4.0
    assert inflow["source:etj"].last_7_days == 3
    assert inflow["channel:etjanst"].weekly_average == 3.0


def test_a_drop_below_40_percent_raises_an_alarm_that_closes_when_the_inflow_recovers(
    database: Database, series, worker: Actor, senior: Actor, now: datetime
) -> None:
    with database.transaction() as session:
        assert refresh_inflow(session, senior, now=now).alarms
    [alarm] = _open_inflow(database)
    assert alarm.key == "channel:telefon"
    assert "1 anmälningar de senaste 7 dagarna" in alarm.detail and "4,0 per vecka" in alarm.detail
    assert alarm.partial["weekly"] == [4, 4, 4, 4, 4, 4, 4, 4, 1]
    with database.transaction() as session:
        refresh_inflow(session, senior, now=now)  # idempotent
    assert len(_open_inflow(database)) == 1

    # One more call today: 2 in 7 days is 50 % of the average, above the 40 % limit.
    _reports(database, worker, [now - timedelta(hours=1)], channel="telefon")
    with database.transaction() as session:
        refresh_inflow(session, senior, now=now)
    assert _open_inflow(database) == []
    with database.transaction() as session:
        closed = session.execute(select(Alarm).where(Alarm.kind == INFLOW_DROP)).scalar_one()
    assert closed.closed_by_id is None and "tillbaka" in (closed.close_reason or "")


def test_the_alarm_share_is_a_setting(database: Database, series, senior: Actor, now: datetime) -> None:
    with database.transaction() as session:
        put_setting(session, "inflow_drop_share", 0.2)
        refresh_inflow(session, senior, now=now)
    assert _open_inflow(database) == []


def test_only_a_senior_closes_an_inflow_alarm_by_hand_and_it_stays_closed_for_a_week(
    database: Database, series, worker: Actor, senior: Actor, now: datetime
) -> None:
    with database.transaction() as session:
        refresh_inflow(session, senior, now=now)
    [alarm] = _open_inflow(database)
    with pytest.raises(PermissionDenied, match="förste socialsekreterare"), database.transaction() as session:
        acknowledge_alarm(session, worker, alarm.id, reason="Sett.", now=now)
    with database.transaction() as session:
        acknowledge_alarm(session, senior, alarm.id, reason="Telefonväxeln var stängd en vecka.", now=now)
        refresh_inflow(session, senior, now=now + timedelta(hours=2))
    assert _open_inflow(database) == []
    with database.transaction() as session:
        refresh_inflow(session, senior, now=now + timedelta(days=8))
    # A week later nothing at all has come: the telephone is raised again (and the e-service now too).
    assert {a.key for a in _open_inflow(database)} == {"channel:telefon", "channel:etjanst", "source:etj"}


def test_alarms_check_raises_the_inflow_watch_and_exits_2(database: Database, now: datetime, capsys) -> None:
    actor = current_actor(database)
    _reports(database, actor, _series(now, [5] * 8 + [0]), channel="brev")
    with time_machine.travel(now, tick=False):
        assert main(["--db", database.url, "alarms", "--json"]) == 0
        [alarm] = json.loads(capsys.readouterr().out)
        assert alarm["kind"] == INFLOW_DROP and "Brev" in alarm["detail"]
        assert main(["--db", database.url, "alarms", "--check"]) == 2
    with database.transaction() as session:
        assert [a.kind_label for a in list_open_alarms(session)] == ["Minskat inflöde"]
