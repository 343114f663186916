"""Children without personnummer: a link by name and birth date, confirmed, audited, reversible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.intake.child_links import merge_children, suggest_links, undo_merge
from mottagning.intake.reports import ChildInput
from mottagning.models import AuditEvent, QueueItem
from mottagning.queue.listing import open_item
from tests.core.factories import register_simple

LIAM = (ChildInput(name="Liam Okänd", birth_date=date(2019, 1, 1)),)


def _two_reports(database: Database, worker: Actor, now) -> tuple[int, int]:
    first = register_simple(database, worker, now=now - timedelta(days=30), children=LIAM).item_ids[0]
    second = register_simple(database, worker, now=now, children=LIAM).item_ids[0]
    return first, second


def _child_of(database: Database, item_id: int) -> int:
    with database.transaction() as session:
        return session.get(QueueItem, item_id).child_id


def test_two_reports_about_a_child_without_personnummer_are_linked_after_confirmation(
    database: Database, worker: Actor, assistant: Actor, now
) -> None:
    first, second = _two_reports(database, worker, now)
    old_child, new_child = _child_of(database, first), _child_of(database, second)
    assert old_child != new_child  # today: two children, two histories
    with database.transaction() as session:
        [suggestion] = suggest_links(session, worker, new_child)
        assert suggestion.child_id == old_child and suggestion.reports == 1
    with database.transaction() as session, pytest.raises(PermissionDenied):
        merge_children(session, assistant, kept_child_id=old_child, merged_child_id=new_child,
                       reason="Samma namn och födelsedatum.", now=now)
    with database.transaction() as session, pytest.raises(ValidationError, match="samma barn"):
        merge_children(session, worker, kept_child_id=old_child, merged_child_id=new_child,
                       reason=" ", now=now)
    with database.transaction() as session:
        merge_children(session, worker, kept_child_id=old_child, merged_child_id=new_child,
                       reason="Samma namn, födelsedatum och skola.", now=now)
    with database.transaction() as session:
        detail = open_item(session, worker, second, now=now)
        assert {e.item_id for e in detail.history.entries} == {first, second}
        assert session.get(QueueItem, second).flag_repeat  # the repeat signal is back
        actions = session.execute(select(AuditEvent.child_id).where(
            AuditEvent.action == "children_merged")).scalars().all()
        assert sorted(actions) == sorted([old_child, new_child])
        assert suggest_links(session, worker, old_child) == []


def test_a_link_is_undone_and_each_record_gets_its_own_reports_back(
    database: Database, worker: Actor, now
) -> None:
    first, second = _two_reports(database, worker, now)
    old_child, new_child = _child_of(database, first), _child_of(database, second)
    with database.transaction() as session:
        merge_id = merge_children(session, worker, kept_child_id=old_child,
                                  merged_child_id=new_child, reason="Samma barn.", now=now).merge_id
    with database.transaction() as session, pytest.raises(ValidationError):
        undo_merge(session, worker, merge_id, reason="", now=now)
    with database.transaction() as session:
        undo_merge(session, worker, merge_id, reason="Olika barn, visade det sig.", now=now)
    assert (_child_of(database, first), _child_of(database, second)) == (old_child, new_child)
    with database.transaction() as session:
        assert not session.get(QueueItem, second).flag_repeat
        assert session.execute(select(AuditEvent).where(
            AuditEvent.action == "children_unmerged")).first() is not None


def test_children_with_different_personnummer_are_never_merged(
    database: Database, worker: Actor, now
) -> None:
    a = register_simple(database, worker, now=now).item_ids[0]
    b = register_simple(database, worker, now=now, children=(
        ChildInput(name="Ella Andersson", personnummer="20170704-1123"),)).item_ids[0]
    with database.transaction() as session, pytest.raises(ValidationError, match="olika personnummer"):
        merge_children(session, worker, kept_child_id=_child_of(database, a),
                       merged_child_id=_child_of(database, b), reason="Samma namn.", now=now)


def test_a_merged_record_is_weeded_with_the_child_it_was_merged_into(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    from datetime import UTC, datetime

    from mottagning.models import Child
    from mottagning.records.gallring import weed_records
    from tests.core.records.test_gallring import _closed

    born_12th = (ChildInput(name="Liam Okänd", birth_date=date(2019, 1, 12)),)
    old = datetime(2019, 3, 4, 9, 0, tzinfo=UTC)
    first = _closed(database, worker, at=old, children=born_12th)[0]
    second = _closed(database, worker, at=old + timedelta(days=2), children=born_12th)[0]
    with database.transaction() as session:
        merge_children(session, worker, kept_child_id=_child_of(database, first),
                       merged_child_id=_child_of(database, second), reason="Samma barn.", now=old)
    with database.transaction() as session:
        weed_records(session, senior, now=now)
    with database.transaction() as session:
        assert session.execute(select(Child)).first() is None


def test_registering_a_child_that_may_already_be_known_says_so_on_the_report(
    database: Database, worker: Actor, now
) -> None:
    from mottagning.models import Report

    first, second = _two_reports(database, worker, now)
    other = register_simple(database, worker, now=now, children=(
        ChildInput(name="Nora Okänd", birth_date=date(2019, 1, 1)),)).item_ids[0]
    with database.transaction() as session:
        def warnings(item_id: int) -> list[str]:
            return session.get(Report, session.get(QueueItem, item_id).report_id).data_quality_warnings

        assert not any("samma namn och födelsedatum" in w for w in warnings(first))
        assert any("samma namn och födelsedatum" in w and "Samma barn" in w for w in warnings(second))
        assert not any("samma namn och födelsedatum" in w for w in warnings(other))
