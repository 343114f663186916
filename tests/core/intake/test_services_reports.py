"""Registering reports and reading the queue through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.intake.reports import ChildInput, register_report, suggest_child_matches
from mottagning.models import AuditEvent, Child, QueueItem, Report
from mottagning.queue.listing import child_history, list_queue, open_item
from tests.core.factories import register_simple, simple_report


def test_one_queue_item_per_child_with_deadlines(database: Database, worker: Actor, now) -> None:
    children = (ChildInput(name="Noah Lindqvist", personnummer="20170704-1123"),
                ChildInput(name="Alva Lindqvist", personnummer="201201304555"))
    result = register_simple(database, worker, now=now, children=children, concerns=("bevittnat_vald",))
    assert len(result.item_ids) == 2
    with database.transaction() as session:
        items = session.execute(select(QueueItem)).scalars().all()
        assert {i.child.personnummer for i in items} == {"20170704-1123", "20120130-4555"}
        for item in items:
            assert item.flag_violence
            assert item.protection_due - item.received_at == timedelta(hours=24)
            assert item.status == "received"


def test_bad_check_digit_is_a_warning_not_a_refusal(database: Database, worker: Actor, now) -> None:
    result = register_simple(database, worker, now=now,
                             children=(ChildInput(name="Vera Nilsson", personnummer="20200228-3908"),))
    assert any("Kontrollsiffran" in w for w in result.warnings)
    with database.transaction() as session:
        item = session.get(QueueItem, result.item_ids[0])
        assert item.flag_data_quality


def test_missing_description_and_child_name_are_refused_with_every_problem(
    database: Database, worker: Actor, now
) -> None:
    report = simple_report(received_at=now, children=(ChildInput(name=" "),))
    report = type(report)(**{**report.__dict__, "description": "  ", "concern_codes": ()})
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        register_report(session, worker, report, now=now)
    assert len(error.value.problems) == 3
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 0


def test_anonymous_reporter_identity_is_never_stored(database: Database, worker: Actor, now) -> None:
    report = simple_report(received_at=now, anonymous=True)
    report = type(report)(**{**report.__dict__, "reporter_name": "Hemlig Granne",
                             "reporter_phone": "070-999 99 99"})
    with database.transaction() as session:
        result = register_report(session, worker, report, now=now)
    with database.transaction() as session:
        row = session.get(Report, result.report_id)
        assert row.reporter_name is None and row.reporter_phone is None
        texts = [str(e.details) for e in session.execute(select(AuditEvent)).scalars()]
    assert not any("Hemlig" in t or "999 99" in t for t in texts)


def test_repeat_flag_for_an_earlier_report_within_12_months(database: Database, worker: Actor, now) -> None:
    register_simple(database, worker, now=now, offset=timedelta(days=200))
    second = register_simple(database, worker, now=now)
    register_simple(database, worker, now=now + timedelta(days=800))
    with database.transaction() as session:
        assert session.get(QueueItem, second.item_ids[0]).flag_repeat
        children = session.execute(select(func.count()).select_from(Child)).scalar_one()
    assert children == 1


def test_queue_is_sorted_immediate_danger_then_overdue_then_due_soonest(
    database: Database, worker: Actor, now
) -> None:
    def child(name: str, number: str) -> tuple[ChildInput, ...]:
        return (ChildInput(name=name, personnummer=number),)

    fresh = register_simple(database, worker, now=now, offset=timedelta(hours=1),
                            children=child("A Fresh", "20150312-2382"))
    overdue = register_simple(database, worker, now=now, offset=timedelta(hours=30),
                              children=child("B Overdue", "20170704-1123"))
    danger = register_simple(database, worker, now=now, offset=timedelta(minutes=5),
                             immediate_danger=True, children=child("C Danger", "20120130-4555"))
    with database.transaction() as session:
        page = list_queue(session, worker, now=now)
    assert [r.id for r in page.rows] == [danger.item_ids[0], overdue.item_ids[0], fresh.item_ids[0]]


def test_listing_the_queue_is_one_audit_event_and_opening_a_case_is_another(
    database: Database, worker: Actor, now
) -> None:
    result = register_simple(database, worker, now=now)
    with database.transaction() as session:
        before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        list_queue(session, worker, now=now)
        detail = open_item(session, worker, result.item_ids[0], now=now)
        actions = session.execute(
            select(AuditEvent.action).order_by(AuditEvent.id).offset(before)
        ).scalars().all()
    assert actions == ["queue_listed", "case_opened"]
    assert detail.description.startswith("Ella kommer")
    assert detail.history.count_last_12_months == 1


def test_history_lists_every_report_about_the_child(database: Database, worker: Actor, now) -> None:
    for days in (10, 100, 500):
        register_simple(database, worker, now=now, offset=timedelta(days=days))
    with database.transaction() as session:
        child_id = session.execute(select(Child.id)).scalar_one()
        history = child_history(session, worker, child_id, now=now)
    assert len(history.entries) == 3
    assert history.count_last_12_months == 2


def test_assistant_cannot_open_a_case(database: Database, worker: Actor, assistant: Actor, now) -> None:
    result = register_simple(database, worker, now=now)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        open_item(session, assistant, result.item_ids[0], now=now)


def test_child_without_personnummer_is_suggested_by_name_and_birth_date(
    database: Database, worker: Actor, now
) -> None:
    from datetime import date

    kid = (ChildInput(name="Liam Okänd", birth_date=date(2019, 1, 1)),)
    register_simple(database, worker, now=now, children=kid)
    with database.transaction() as session:
        matches = suggest_child_matches(session, worker, name="Liam Okänd", birth_date=date(2019, 1, 1))
    assert len(matches) == 1 and matches[0].reports == 1


def test_mass_reports_about_one_child_are_grouped_each_keeping_its_deadlines(
    database: Database, worker: Actor, now
) -> None:
    from mottagning.queue.items import assign_items
    from mottagning.queue.listing import list_child_items

    burst = [register_simple(database, worker, now=now, offset=timedelta(hours=h)) for h in range(1, 8)]
    other = register_simple(database, worker, now=now, offset=timedelta(hours=2),
                            children=(ChildInput(name="Noah Lindqvist", personnummer="20170704-1123"),))
    with database.transaction() as session:
        flat = list_queue(session, worker, now=now, count_total=True)
        grouped = list_queue(session, worker, now=now, group_mass_reports=True,
                             count_total=True)
        members = list_child_items(session, worker, flat.rows[0].child_id, now=now)
    assert flat.total == 8
    assert grouped.total == 2 and len(grouped.rows) == 2
    group_row = next(r for r in grouped.rows if r.child_name == "Ella Andersson")
    assert group_row.group_size == 7
    assert next(r for r in grouped.rows if r.id == other.item_ids[0]).group_size == 1
    assert len(members) == 7
    assert len({m.protection_due for m in members}) == 7
    with database.transaction() as session:
        before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        assign_items(session, worker, [r.item_ids[0] for r in burst], worker.user_id, now=now)
        after = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert after - before == 7


def test_four_reports_in_a_week_are_not_grouped(database: Database, worker: Actor, now) -> None:
    for hours in range(1, 5):
        register_simple(database, worker, now=now, offset=timedelta(hours=hours))
    with database.transaction() as session:
        grouped = list_queue(session, worker, now=now, group_mass_reports=True,
                             count_total=True)
    assert grouped.total == 4 and {r.group_size for r in grouped.rows} == {1}


def test_a_signed_item_is_handed_over_and_leaves_the_open_queue(
    database: Database, worker: Actor, now
) -> None:
    from mottagning.errors import InvalidTransition
    from mottagning.queue.items import get_item, hand_over_item, move_item
    from mottagning.rules.status import Status

    result = register_simple(database, worker, now=now)
    item_id = result.item_ids[0]
    with database.transaction() as session, pytest.raises(InvalidTransition):
        hand_over_item(session, worker, item_id, now=now)
    with database.transaction() as session:
        item = get_item(session, item_id)
        for status in (Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT,
                       Status.DECISION_PROPOSED, Status.DECISION_SIGNED):
            move_item(session, worker, item, status, now=now)
    with database.transaction() as session:
        hand_over_item(session, worker, item_id, now=now)
    with database.transaction() as session:
        assert list_queue(session, worker, now=now, count_total=True).total == 0
        assert list_queue(session, worker, now=now, include_closed=True,
                          count_total=True).total == 1
