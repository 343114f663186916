"""The statistics' summary rows (stats_items, stats_report_concerns) agree with the base tables
after every kind of change, on both databases: the database's own triggers rewrite them in
the same transaction, whichever service (or raw statement) made the change.

The expected rows are computed here in Python from the base tables, independently of the
triggers' SQL: the age at receipt from the UTC day, the sex from the personnummer's second
last digit, the first signature, the report's first (violence-flagged) item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.child_links import merge_children
from mottagning.intake.concern_flags import correct_concern_codes
from mottagning.intake.reports import ChildInput, register_report
from mottagning.models import (
    Assessment,
    Child,
    Decision,
    QueueItem,
    Report,
    StatsItem,
    StatsReportConcern,
)
from mottagning.queue.items import move_item
from mottagning.records.gallring import weed_records
from mottagning.rules.status import Status
from tests.core.factories import simple_report

ELLA = ChildInput(name="Ella Andersson", personnummer="20150312-2382")
OLLE = ChildInput(name="Olle Andersson", personnummer="20200501-9811")
LISA = ChildInput(name="Lisa Andersson", birth_date=date(2024, 1, 10))
OKAND = ChildInput(name="Okänt barn")


def _yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _expected_items(session: Session) -> dict[int, tuple[Any, ...]]:
    expected = {}
    for item in session.execute(select(QueueItem)).scalars():
        child = item.child
        siblings = sorted(i.id for i in item.report.items)
        violent = sorted(i.id for i in item.report.items if i.flag_violence)
        assessed = session.execute(select(Assessment.finished_at).where(
            Assessment.item_id == item.id, Assessment.finished_at.is_not(None))).scalar_one_or_none()
        decided = session.execute(select(func.min(Decision.signed_at)).where(
            Decision.item_id == item.id, Decision.status == "signed")).scalar_one()
        age = None if child.birth_date is None else (
            (_yyyymmdd(item.received_at.astimezone(UTC).date()) - _yyyymmdd(child.birth_date)) // 10000)
        sex = ("unknown" if child.personnummer is None
               else "boy" if int(child.personnummer[11]) % 2 else "girl")
        days = None if decided is None else round((decided - item.received_at).total_seconds() / 86400, 6)
        expected[item.id] = (
            item.report_id, item.id == siblings[0], bool(violent) and violent[0] == item.id,
            item.child_id, item.received_at, bool(item.flag_violence), item.protection_due,
            item.decision_due, item.decision_due_extended, item.outcome, assessed, decided, days,
            age, sex)
    return expected


def _summary_items(session: Session) -> dict[int, tuple[Any, ...]]:
    s = StatsItem
    return {row.item_id: (
        row.report_id, bool(row.first_of_report), bool(row.first_violent_of_report), row.child_id,
        row.received_at, bool(row.flag_violence), row.protection_due, row.decision_due,
        row.decision_due_extended, row.outcome, row.assessed_at, row.decided_at,
        None if row.days_to_decision is None else round(float(row.days_to_decision), 6),
        row.age, row.sex) for row in session.execute(select(s)).scalars()}


def _assert_summary_agrees(database: Database) -> None:
    with database.transaction() as session:
        assert _summary_items(session) == _expected_items(session)
        concerns = {(r.report_id, r.concern_code, r.received_at)
                    for r in session.execute(select(StatsReportConcern)).scalars()}
        expected = {(report.id, code, report.received_at)
                    for report in session.execute(select(Report)).scalars()
                    for code in report.concern_codes}
        assert concerns == expected


def _register(database: Database, worker: Actor, *, at: datetime, children: tuple[ChildInput, ...],
              concerns: tuple[str, ...] = ("forsummelse",)) -> list[int]:
    with database.transaction() as session:
        report = simple_report(received_at=at, children=children, concerns=concerns)
        return list(register_report(session, worker, report, now=at + timedelta(minutes=5)).item_ids)


def _finish_assessment(database: Database, worker: Actor, item_id: int, at: datetime) -> None:
    with database.transaction() as session:
        session.add(Assessment(
            item_id=item_id, form_id="skyddsbedomning", form_version=1, form_sha256="0" * 64,
            status="draft", answers={}, notes={}, shown_questions=[], rules_fired=[], checklist={},
            started_by_id=worker.user_id, started_at=at, updated_at=at))
    with database.transaction() as session:  # finished later, as the form is
        assessment = session.execute(select(Assessment).where(Assessment.item_id == item_id)).scalar_one()
        assessment.status, assessment.outcome = "finished", "no_immediate_need"
        assessment.finished_by_id, assessment.finished_at = worker.user_id, at + timedelta(hours=1)


def _sign(database: Database, worker: Actor, senior: Actor, item_id: int, outcome: str,
          at: datetime, *, corrects: int | None = None) -> int:
    with database.transaction() as session:
        decision = Decision(item_id=item_id, outcome=outcome, motivation="Motivering.",
                            status="awaiting", proposed_by_id=worker.user_id, proposed_at=at,
                            contacts=[], corrects_decision_id=corrects)
        session.add(decision)
        session.flush()
        decision_id = decision.id
    with database.transaction() as session:  # the proposal becomes the signed decision
        decision = session.get(Decision, decision_id)
        decision.status, decision.signed_by_id = "signed", senior.user_id
        decision.signed_at = at + timedelta(hours=3)
        item = session.get(QueueItem, item_id)
        item.status, item.outcome = Status.DECISION_SIGNED.value, outcome
    return decision_id


def test_the_summary_follows_every_kind_of_change_in_the_same_transaction(
    database: Database, worker: Actor, senior: Actor, now: datetime,
) -> None:
    received = now - timedelta(days=20)
    # registered: one report about three children, one about a child reported before
    ella, olle, lisa = _register(database, worker, at=received, children=(ELLA, OLLE, LISA))
    (okand,) = _register(database, worker, at=received + timedelta(days=1), children=(OKAND,),
                         concerns=("annat",))
    _assert_summary_agrees(database)

    _finish_assessment(database, worker, ella, received + timedelta(hours=5))
    _finish_assessment(database, worker, olle, received + timedelta(hours=30))
    _assert_summary_agrees(database)

    first = _sign(database, worker, senior, olle, "inte_inleda_utredning", received + timedelta(days=9))
    _sign(database, worker, senior, ella, "inleda_utredning", received + timedelta(days=3))
    _assert_summary_agrees(database)

    # corrected after signing: the first signature stays, the outcome follows the correction
    _sign(database, worker, senior, olle, "inleda_utredning", received + timedelta(days=11),
          corrects=first)
    with database.transaction() as session:
        row = session.get(StatsItem, olle)
        assert row.outcome == "inleda_utredning"
        assert row.decided_at == received + timedelta(days=9, hours=3)
    _assert_summary_agrees(database)

    # a proposal returned to the worker is no decision; the deadline extended
    with database.transaction() as session:
        session.add(Decision(item_id=lisa, outcome="inleda_utredning", motivation="M.",
                             status="returned", proposed_by_id=worker.user_id,
                             proposed_at=received + timedelta(days=2), contacts=[]))
        session.get(QueueItem, lisa).decision_due_extended = received + timedelta(days=28)
    _assert_summary_agrees(database)

    # concern codes corrected: the report's categories and every item's violence flag follow
    with database.transaction() as session:
        report_id = session.get(QueueItem, ella).report_id
        correct_concern_codes(session, worker, report_id, concern_codes=["vald_mot_barn", "annat"],
                              reason="Polisen bekräftade våldet.", now=now)
        assert session.get(StatsItem, ella).flag_violence
    _assert_summary_agrees(database)

    # the child's personnummer and birth date corrected; two records merged into one child
    with database.transaction() as session:
        lisa_child = session.get(QueueItem, lisa).child
        lisa_child.personnummer, lisa_child.birth_date = "20240110-2381", date(2024, 1, 10)
    with database.transaction() as session:
        kept = session.get(QueueItem, ella).child_id
        merged = session.get(QueueItem, okand).child_id
        merge_children(session, worker, kept_child_id=kept, merged_child_id=merged,
                       reason="Samma barn.", now=now)
        assert session.get(StatsItem, okand).child_id == kept
    _assert_summary_agrees(database)

    # a raw statement, as the bulk demo writes: moved in time, then one item deleted
    with database.transaction() as session:
        session.execute(update(QueueItem).where(QueueItem.id == okand)
                        .values(received_at=received + timedelta(days=2)))
        session.execute(delete(Decision).where(Decision.item_id == lisa))
        session.execute(delete(QueueItem).where(QueueItem.id == lisa))
        assert session.get(StatsItem, lisa) is None
    _assert_summary_agrees(database)


def test_gallring_takes_the_summary_rows_with_the_records(
    database: Database, worker: Actor, senior: Actor, now: datetime,
) -> None:
    old = datetime(2019, 3, 4, 9, 0, tzinfo=UTC)
    (weeded,) = _register(database, worker, at=old, children=(ELLA,))
    (kept,) = _register(database, worker, at=now - timedelta(days=3), children=(OLLE,))
    with database.transaction() as session:
        item = session.get(QueueItem, weeded)
        for status in (Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT,
                       Status.DECISION_PROPOSED, Status.DECISION_SIGNED, Status.CLOSED):
            move_item(session, worker, item, status, now=old)
        item.outcome = "inte_inleda_utredning"
    _assert_summary_agrees(database)
    with database.transaction() as session:
        result = weed_records(session, senior, now=now)
        assert weeded in result.changes.item_ids
    with database.transaction() as session:
        assert set(session.execute(select(StatsItem.item_id)).scalars()) == {kept}
        assert session.execute(select(func.count()).select_from(Child)).scalar_one() == 1
    _assert_summary_agrees(database)
