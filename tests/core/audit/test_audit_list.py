"""`audit list`: the log filtered by user, child and period; only for loggkontroll roles; audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mottagning.access.users import add_user, current_os_account
from mottagning.audit.review import AuditFilter, list_audit
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import NotFound, PermissionDenied
from mottagning.intake.reports import ChildInput
from mottagning.models import AuditEvent
from mottagning.queue.listing import open_item
from tests.core.factories import register_simple

ELLA = "20150312-2382"
OLLE = "20180704-9815"


def _two_children(database: Database, worker: Actor, now: datetime) -> tuple[int, int]:
    ella = register_simple(database, worker, now=now).item_ids[0]
    olle = register_simple(database, worker, now=now,
                           children=(ChildInput(name="Olle Berg", personnummer=OLLE),)).item_ids[0]
    return ella, olle


def test_filter_by_child_personnummer_lists_only_that_child(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    ella, olle = _two_children(database, worker, now)
    with database.transaction() as session:
        open_item(session, worker, ella, now=now)
        open_item(session, worker, olle, now=now)
    with database.transaction() as session:
        entries = list_audit(session, senior, AuditFilter(child=ELLA), now=now)
    assert entries and {e.personnummer for e in entries} == {ELLA}
    assert "case_opened" in {e.action for e in entries}


def test_filter_by_name_part_and_by_user(database: Database, worker: Actor, senior: Actor, now) -> None:
    ella, olle = _two_children(database, worker, now)
    with database.transaction() as session:
        open_item(session, senior, olle, now=now)
    with database.transaction() as session:
        by_name = list_audit(session, senior, AuditFilter(child="olle"), now=now)
        by_user = list_audit(session, senior, AuditFilter(username="maria"), now=now)
    assert {e.child_name for e in by_name} == {"Olle Berg"}
    assert {e.actor for e in by_user} == {"maria"}
    assert "case_opened" in {e.action for e in by_user}


def test_period_is_inclusive_in_stockholm_time(database: Database, worker: Actor, senior: Actor, now) -> None:
    item = register_simple(database, worker, now=now).item_ids[0]
    late_evening = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 23.30 in Stockholm
    with database.transaction() as session:
        open_item(session, worker, item, now=late_evening)
    with database.transaction() as session:
        that_day = list_audit(session, senior, AuditFilter(start=date(2026, 11, 24), end=date(2026, 11, 24)))
        next_day = list_audit(session, senior, AuditFilter(start=date(2026, 11, 25), end=date(2026, 11, 25)))
    assert any(e.occurred_at == late_evening for e in that_day)
    assert not any(e.occurred_at == late_evening for e in next_day)


def test_listing_is_audited_without_personal_data(database: Database, worker: Actor, admin: Actor, now) -> None:
    register_simple(database, worker, now=now)
    with database.transaction() as session:
        list_audit(session, admin, AuditFilter(child=ELLA), now=now)
    with database.transaction() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "audit_listed")).scalar_one()
    assert event.actor == "sofia"
    assert ELLA not in json.dumps(event.details) and "Ella" not in json.dumps(event.details)
    assert event.details["child_ids"]


def test_workers_and_assistants_may_not_list_the_log(
    database: Database, worker: Actor, assistant: Actor
) -> None:
    for actor in (worker, assistant):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            list_audit(session, actor, AuditFilter())


def test_unknown_child_is_a_clear_message(database: Database, senior: Actor) -> None:
    with database.transaction() as session, pytest.raises(NotFound, match="Inget barn"):
        list_audit(session, senior, AuditFilter(child="19990101-0000"))


def test_cli_json_has_the_documented_fields(
    database: Database, worker: Actor, now, capsys, monkeypatch
) -> None:
    item = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        open_item(session, worker, item, now=now)
        add_user(session, None, username="granskare", full_name="Gun Granskare", roles=["senior"],
                 os_account=current_os_account())
    monkeypatch.setenv("MOTTAGNING_DB", database.url)
    assert main(["audit", "list", "--json", "--child", ELLA, "--from", "2026-11-24", "--to", "2026-11-24"]) == 0
    rows = json.loads(capsys.readouterr().out)
    opened = next(r for r in rows if r["action"] == "case_opened")
    assert set(opened) == {"id", "occurred_at", "actor", "user_id", "action", "entity_type", "entity_id",
                           "child_id", "personnummer", "details"}
    assert opened["personnummer"] == ELLA and opened["entity_id"] == item
    assert opened["occurred_at"].endswith("+01:00")


def test_cli_rejects_a_bad_date(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "list", "--from", "24/11"])
    assert exit_info.value.code == 2
    assert "ÅÅÅÅ-MM-DD" in capsys.readouterr().err
