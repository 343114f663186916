"""Gallring: the dry run equals the protocol, exempt children are kept, the audit chain holds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mottagning.access.users import add_user, current_os_account
from mottagning.audit.chain import verify
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.demo import fill_demo
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.intake.reports import ChildInput
from mottagning.models import AuditEvent, Child, Draft, Guardian, QueueItem, Report
from mottagning.models.decisions import Decision, FeedbackTask
from mottagning.models.records import WeedingProtocol
from mottagning.queue.items import move_item
from mottagning.queue.listing import open_item
from mottagning.records.gallring import (
    PROTECTION_INVESTIGATION,
    REPORT_WITHOUT_INVESTIGATION,
    plan_weeding,
    put_weeding_rules,
    weed_records,
)
from mottagning.rules.status import Status
from tests.core.factories import register_simple

OLD = datetime(2019, 3, 4, 9, 0, tzinfo=UTC)
PATH = (Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT, Status.DECISION_PROPOSED,
        Status.DECISION_SIGNED, Status.CLOSED)


def _closed(database: Database, actor: Actor, *, at: datetime, children: tuple[ChildInput, ...],
            outcome: str = "inte_inleda_utredning") -> list[int]:
    items = list(register_simple(database, actor, now=at, children=children).item_ids)
    with database.transaction() as session:
        for item_id in items:
            item = session.get(QueueItem, item_id)
            for status in PATH:
                move_item(session, actor, item, status, now=at)
            item.outcome = outcome
    return items


def _child(name: str, pnr: str) -> ChildInput:
    return ChildInput(name=name, personnummer=pnr)


@pytest.fixture
def records(database: Database, worker: Actor, now) -> dict[str, list[int]]:
    """Old and new records of every kind that the rules tell apart."""
    return {
        "old_no_investigation": _closed(database, worker, at=OLD, children=(_child("Ella Andersson", "20150312-2382"),)),
        "old_exempt": _closed(database, worker, at=OLD, children=(_child("Vera Ek", "20150315-2388"),)),
        "investigation_young": _closed(database, worker, at=OLD, children=(_child("Liam Berg", "20120402-2393"),),
                                       outcome="inleda_utredning"),
        "investigation_over_30": _closed(database, worker, at=datetime(2010, 5, 3, tzinfo=UTC),
                                         children=(_child("Nora Holm", "19950312-2390"),),
                                         outcome="inleda_utredning"),
        "recent": _closed(database, worker, at=now, children=(_child("Alva Lind", "20160812-2383"),)),
        "old_open": list(register_simple(database, worker, now=OLD,
                                    children=(_child("Otto Sten", "20140902-2396"),)).item_ids),
    }


def test_only_expired_records_are_planned_and_exempt_birth_days_are_kept(
    database: Database, senior: Actor, records, now
) -> None:
    with database.transaction() as session:
        plan = plan_weeding(session, senior, now=now)
    kinds = plan.summary["kinds"]
    assert kinds[REPORT_WITHOUT_INVESTIGATION]["item_ids"] == records["old_no_investigation"]
    assert kinds[PROTECTION_INVESTIGATION]["item_ids"] == records["investigation_over_30"]
    assert plan.summary["kept"]["exempt_birth_day"] == 1
    assert plan.summary["children"] == 2 and plan.summary["reports"] == 2


def test_a_read_is_not_an_entry_but_a_new_report_about_the_child_is(
    database: Database, worker: Actor, senior: Actor, records, now
) -> None:
    old = records["old_no_investigation"][0]
    with database.transaction() as session:
        open_item(session, worker, old, now=now)
        plan = plan_weeding(session, senior, now=now)
    assert old in plan.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["item_ids"]
    register_simple(database, worker, now=datetime(2023, 1, 10, tzinfo=UTC),
                    children=(_child("Ella Andersson", "20150312-2382"),))
    with database.transaction() as session:
        plan = plan_weeding(session, senior, now=now)
    assert old not in plan.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["item_ids"]


def test_dry_run_equals_the_real_runs_protocol_and_the_chain_still_verifies(
    database: Database, senior: Actor, records, now
) -> None:
    with database.transaction() as session:
        plan = plan_weeding(session, senior, now=now)
    with database.transaction() as session:
        result = weed_records(session, senior, now=now)
    with database.transaction() as session:
        protocol = session.get(WeedingProtocol, result.protocol_id)
        assert protocol.summary == plan.summary and protocol.rows_deleted == plan.rows_deleted
        assert protocol.run_by == "maria" and protocol.audit_event_id is not None
        weeded = records["old_no_investigation"] + records["investigation_over_30"]
        assert session.execute(select(func.count()).select_from(QueueItem)
                               .where(QueueItem.id.in_(weeded))).scalar_one() == 0
        names = set(session.execute(select(Child.name)).scalars())
        assert names == {"Vera Ek", "Liam Berg", "Alva Lind", "Otto Sten"}
        # the events about the weeded cases stay, naming ids only
        assert session.execute(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.entity_id.in_(weeded))).scalar_one() > 0
        assert verify(session).ok
    with database.transaction() as session:
        assert plan_weeding(session, senior, now=now).empty


def test_tables_of_other_areas_and_drafts_go_with_their_case(
    database: Database, worker: Actor, senior: Actor, records, now
) -> None:
    item_id = records["old_no_investigation"][0]
    with database.transaction() as session:
        decision = Decision(item_id=item_id, outcome="inte_inleda_utredning", motivation="Ingen oro kvar.",
                            status="signed", proposed_by_id=worker.user_id, proposed_at=OLD)
        session.add(decision)
        session.flush()
        session.add(FeedbackTask(item_id=item_id, decision_id=decision.id, content="inte_inleda",
                                 created_at=OLD, due_at=OLD))
        session.add(Draft(user_id=worker.user_id, kind="decision", key=f"item:{item_id}",
                          content={"text": "utkast"}, saved_at=OLD))
    with database.transaction() as session:
        plan = plan_weeding(session, senior, now=now)
        assert plan.rows_deleted["decisions"] == 1 and plan.rows_deleted["feedback_tasks"] == 1
        assert plan.rows_deleted["drafts"] == 1
        weed_records(session, senior, now=now)
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Decision)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Draft)).scalar_one() == 0


def test_a_sibling_kept_keeps_the_report_and_their_guardian(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    items = _closed(database, worker, at=OLD, children=(_child("Ella Andersson", "20150312-2382"),
                                                          _child("Vera Andersson", "20170325-2386")))
    with database.transaction() as session:
        result = weed_records(session, senior, now=now)
    assert result.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["item_ids"] == items[:1]
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 1
        kept = session.execute(select(Guardian).join(Child).where(Child.name == "Vera Andersson")).scalars().all()
        assert kept
        assert verify(session).ok


def test_keep_everything_and_changed_periods_are_settings(
    database: Database, senior: Actor, admin: Actor, records, now
) -> None:
    with database.transaction() as session:
        put_weeding_rules(session, admin, {"keep_everything": True})
        assert plan_weeding(session, senior, now=now).empty
        put_weeding_rules(session, admin, {"keep_everything": False,
                                           "kinds": {REPORT_WITHOUT_INVESTIGATION: {"years": 10}}})
        plan = plan_weeding(session, senior, now=now)
    assert plan.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["items"] == 0
    with database.transaction() as session, pytest.raises(ValidationError):
        put_weeding_rules(session, admin, {"exempt_birth_days": [0]})
    with database.transaction() as session, pytest.raises(PermissionDenied):
        put_weeding_rules(session, senior, {"keep_everything": True})


def test_only_seniors_and_system_admins_may_weed(
    database: Database, worker: Actor, assistant: Actor, admin: Actor, records, now
) -> None:
    for actor in (worker, assistant):
        with database.transaction() as session, pytest.raises(PermissionDenied):
            weed_records(session, actor, now=now)
    with database.transaction() as session:
        assert weed_records(session, admin, now=now).summary["children"] == 2


def test_cli_dry_run_json_equals_the_protocol_of_the_confirmed_run(
    database: Database, records, capsys, monkeypatch
) -> None:
    with database.transaction() as session:
        add_user(session, None, username="chef", full_name="Cecilia Chef", roles=["senior"],
                 os_account=current_os_account())
    monkeypatch.setenv("MOTTAGNING_DB", database.url)
    assert main(["gallra", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["gallra"]) == 1  # not interactive and not confirmed: nothing happens
    capsys.readouterr()
    assert main(["gallra", "--yes", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["summary"] == dry["summary"] and done["rows_deleted"] == dry["rows_deleted"]
    assert main(["audit", "verify"]) == 0


def test_no_personal_data_ever_enters_audit_details(database: Database) -> None:
    with database.transaction() as session:
        fill_demo(session, reports=25, seed=7)
    with database.transaction() as session:
        people = set(session.execute(select(Child.name)).scalars())
        people |= set(session.execute(select(Child.personnummer)).scalars())
        people |= set(session.execute(select(Guardian.name)).scalars())
        people |= set(session.execute(select(Report.reporter_name)).scalars())
        people |= {d[:40] for d in session.execute(select(Report.description)).scalars()}
        people.discard(None)
        details = [json.dumps(d, ensure_ascii=False) for d in session.execute(select(AuditEvent.details)).scalars()]
    leaks = sorted({p for p in people for d in details if p in d})
    assert leaks == []


def test_birth_day_exemption_uses_the_personnummer_when_no_birth_date_is_stored(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    items = _closed(database, worker, at=OLD, children=(_child("Sam Ek", "20150325-2381"),))
    with database.transaction() as session:
        session.execute(Child.__table__.update().values(birth_date=None))
        plan = plan_weeding(session, senior, now=now)
    assert items[0] not in plan.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["item_ids"]
    assert date(2015, 3, 25).day in plan.rules["exempt_birth_days"]


def test_a_child_without_personnummer_or_birth_date_is_held_back_for_a_person(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    unknown = _closed(database, worker, at=OLD, children=(ChildInput(name="Okänt barn"),))
    known = _closed(database, worker, at=OLD, children=(_child("Ella Andersson", "20150312-2382"),))
    with database.transaction() as session:
        plan = plan_weeding(session, senior, now=now)
    assert plan.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["item_ids"] == known
    with database.transaction() as session:
        child_id = session.get(QueueItem, unknown[0]).child_id
    assert plan.summary["held_back"] == [
        {"child_id": child_id, "item_ids": unknown, "reason": "unknown_birth_date"}]
    with database.transaction() as session:
        weed_records(session, senior, now=now)
    with database.transaction() as session:
        assert session.get(QueueItem, unknown[0]) is not None
        assert session.get(QueueItem, known[0]) is None


def test_the_five_year_period_ends_exactly_five_years_after_the_last_entry(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    # now is 24 November 2026: 4 years 364 days back is 25 November 2021, 5 years 1 day
    # back is 23 November 2021.
    assert now.date() == date(2026, 11, 24)
    kept = _closed(database, worker, at=datetime(2021, 11, 25, 12, 0, tzinfo=UTC),
                   children=(_child("Ella Andersson", "20150312-2382"),))
    weeded = _closed(database, worker, at=datetime(2021, 11, 23, 12, 0, tzinfo=UTC),
                     children=(_child("Alva Lind", "20160812-2383"),))
    # Five years to the day: the period has run out.
    weeded += _closed(database, worker, at=datetime(2021, 11, 24, 12, 0, tzinfo=UTC),
                      children=(_child("Otto Sten", "20140902-2396"),))
    with database.transaction() as session:
        plan = plan_weeding(session, senior, now=now)
    assert plan.summary["kinds"][REPORT_WITHOUT_INVESTIGATION]["item_ids"] == weeded
    assert kept[0] not in plan.doomed["queue_items"]
