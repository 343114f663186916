"""The role × action table holds in the service layer, not only in what the GUI shows.

Each probe is one real service call gated by one action. For every role the whole row of
the matrix is exercised: a call the role may make must get past the permission check (it
may still fail on the bogus ids of a probe: NotFound, ValidationError…); a call it may not
make must raise PermissionDenied. Every probe runs in its own rolled-back transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mottagning import settings
from mottagning.access import auth, users
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import MottagningError, PermissionDenied
from mottagning.intake import alarms, reports
from mottagning.queue import items
from mottagning.queue import listing as queue
from mottagning.rules.permissions import PERMISSIONS, Action, Role
from tests.conftest import make_user
from tests.core.factories import register_simple

MISSING = 999_999
DESCRIPTION = "Ella kommer ofta utan frukost och säger att mamma sover."
NOTE = "Barnet berättar om nätter ensam hemma."


@dataclass(frozen=True)
class Case:
    item_id: int
    child_id: int
    now: datetime


@dataclass(frozen=True)
class Probe:
    action: Action
    name: str
    call: Callable[[Session, Actor, Case], Any]
    module: str | None = None  # an area's service that may not exist in every checkout

    def run(self, session: Session, actor: Actor, case: Case) -> Any:
        if self.module is not None:
            importlib.import_module(self.module)
        return self.call(session, actor, case)


def _svc(name: str) -> Any:
    return importlib.import_module(name)


def _proposal() -> Any:
    return _svc("mottagning.decisions.proposals").ProposalInput(outcome="inleda_utredning", motivation="Oro för omsorgen.")


PROBES: list[Probe] = [
    Probe(Action.REGISTER_REPORT, "reports.suggest_child_matches",
          lambda s, a, c: reports.suggest_child_matches(s, a, name="Ella Andersson",
                                                        birth_date=date(2015, 3, 12))),
    Probe(Action.VIEW_QUEUE, "queue.list_queue", lambda s, a, c: queue.list_queue(s, a, now=c.now)),
    Probe(Action.VIEW_QUEUE, "queue.list_child_items",
          lambda s, a, c: queue.list_child_items(s, a, c.child_id, now=c.now)),
    Probe(Action.READ_CASE, "queue.open_item", lambda s, a, c: queue.open_item(s, a, c.item_id, now=c.now)),
    Probe(Action.READ_CASE, "queue.child_history",
          lambda s, a, c: queue.child_history(s, a, c.child_id, now=c.now)),
    Probe(Action.READ_CASE, "decision_views.list_decisions",
          lambda s, a, c: _svc("mottagning.decisions.views").list_decisions(s, a),
          "mottagning.decisions.views"),
    Probe(Action.READ_CASE, "decision_views.open_proposal",
          lambda s, a, c: _svc("mottagning.decisions.views").open_proposal(s, a, MISSING, now=c.now),
          "mottagning.decisions.views"),
    Probe(Action.READ_CASE, "assessments.get_assessment",
          lambda s, a, c: _svc("mottagning.assessment.service").get_assessment(s, a, MISSING, now=c.now),
          "mottagning.assessment.service"),
    Probe(Action.REASSIGN_ITEMS, "items.reassign_items",
          lambda s, a, c: items.reassign_items(s, a, [c.item_id], a.user_id, now=c.now)),
    Probe(Action.ASSESS, "items.claim_item",
          lambda s, a, c: items.claim_item(s, a, c.item_id, now=c.now)),
    Probe(Action.ASSESS, "items.assign_items",
          lambda s, a, c: items.assign_items(s, a, [c.item_id], a.user_id, now=c.now)),
    Probe(Action.ASSESS, "assessments.start_or_resume",
          lambda s, a, c: _svc("mottagning.assessment.service").start_or_resume(s, a, c.item_id, now=c.now),
          "mottagning.assessment.service"),
    Probe(Action.ASSESS, "assessments.save_note",
          lambda s, a, c: _svc("mottagning.assessment.service").save_note(s, a, MISSING, "var_barnet_ar", "x", now=c.now),
          "mottagning.assessment.service"),
    Probe(Action.SECOND_SIGN_ASSESSMENT, "assessments.second_sign",
          lambda s, a, c: _svc("mottagning.assessment.service").second_sign(s, a, MISSING, secret="x", now=c.now),
          "mottagning.assessment.service"),
    Probe(Action.PROPOSE_DECISION, "decisions.propose_decision",
          lambda s, a, c: _svc("mottagning.decisions.proposals").propose_decision(s, a, c.item_id, _proposal(), now=c.now),
          "mottagning.decisions.proposals"),
    Probe(Action.PROPOSE_DECISION, "decision_views.my_returned",
          lambda s, a, c: _svc("mottagning.decisions.views").my_returned(s, a), "mottagning.decisions.views"),
    Probe(Action.SIGN_DECISION, "decisions.sign_decision",
          lambda s, a, c: _svc("mottagning.decisions.proposals").sign_decision(s, a, MISSING, secret="x", expected_version=1,
                                                          now=c.now),
          "mottagning.decisions.proposals"),
    Probe(Action.SIGN_DECISION, "decisions.return_decision",
          lambda s, a, c: _svc("mottagning.decisions.proposals").return_decision(s, a, MISSING, comment="x", expected_version=1,
                                                            now=c.now),
          "mottagning.decisions.proposals"),
    Probe(Action.SIGN_DECISION, "decision_views.list_awaiting",
          lambda s, a, c: _svc("mottagning.decisions.views").list_awaiting(s, a, now=c.now),
          "mottagning.decisions.views"),
    Probe(Action.WRITE_LETTER, "letters.list_recipients",
          lambda s, a, c: _svc("mottagning.letters.service").list_recipients(s, a, c.item_id, "bekraftelse", now=c.now),
          "mottagning.letters.service"),
    Probe(Action.PRINT_LETTER, "letters.pending_letters",
          lambda s, a, c: _svc("mottagning.letters.service").pending_letters(s, a, now=c.now), "mottagning.letters.service"),
    Probe(Action.READ_ALARM_COUNTS, "alarms.open_alarm_count",
          lambda s, a, c: alarms.open_alarm_count(s, a)),
    Probe(Action.HANDLE_ALARMS, "alarms.acknowledge_alarm",
          lambda s, a, c: alarms.acknowledge_alarm(s, a, MISSING, reason="Kontrollerat.", now=c.now)),
    Probe(Action.HANDLE_ALARMS, "quarantine.list_quarantined",
          lambda s, a, c: _svc("mottagning.intake.quarantine").list_quarantined(s, a), "mottagning.intake.quarantine"),
    Probe(Action.MANAGE_USERS, "users.add_user",
          lambda s, a, c: users.add_user(s, a, username="ny", full_name="Ny Person", roles=["worker"])),
    Probe(Action.MANAGE_USERS, "auth.set_password (someone else's)",
          lambda s, a, c: auth.set_password(s, a, username="ingen-sadan", new_password="x" * 12)),
    Probe(Action.MANAGE_SETTINGS, "auth.set_idle_lock_minutes",
          lambda s, a, c: auth.set_idle_lock_minutes(s, a, 5, now=c.now)),
    Probe(Action.MANAGE_SETTINGS, "settings.set_inbox_path",
          lambda s, a, c: settings.set_inbox_path(s, a, "/srv/inkorg")),
    Probe(Action.MANAGE_SETTINGS, "decision_rules.set_delegation",
          lambda s, a, c: _svc("mottagning.decisions.delegation").set_delegation(s, a, "inleda_utredning", ["senior"],
                                                                now=c.now),
          "mottagning.decisions.delegation"),
    Probe(Action.REVIEW_AUDIT, "audit_review.list_audit",
          lambda s, a, c: _svc("mottagning.audit.review").list_audit(s, a, _svc("mottagning.audit.review").AuditFilter(), now=c.now),
          "mottagning.audit.review"),
    Probe(Action.WEED_RECORDS, "gallring.plan_weeding",
          lambda s, a, c: _svc("mottagning.records.gallring").plan_weeding(s, a, now=c.now), "mottagning.records.gallring"),
    Probe(Action.WEED_RECORDS, "gallring.list_protocols",
          lambda s, a, c: _svc("mottagning.records.gallring").list_protocols(s, a), "mottagning.records.gallring"),
    Probe(Action.VIEW_STATISTICS, "stats.compute_figures",
          lambda s, a, c: _svc("mottagning.stats.figures").compute_figures(
              s, a, _svc("mottagning.stats.period").Period.default(c.now), now=c.now),
          "mottagning.stats.figures"),
    Probe(Action.CALIBRATE, "calibration.list_rounds",
          lambda s, a, c: _svc("mottagning.calibration.rounds").list_rounds(s, a, now=c.now),
          "mottagning.calibration.rounds"),
    Probe(Action.LEAD_CALIBRATION, "calibration.alpha_history",
          lambda s, a, c: _svc("mottagning.calibration.results").alpha_history(s, a),
          "mottagning.calibration.results"),
]

# Actions no service gates yet, with the reason; the test below keeps this list honest.
NOT_GATED_IN_SERVICES = {
    Action.IMPORT: "every role may import; the importer itself runs as the system user",
    Action.BACKUP: "mottagning.db.backup works on the whole Database, not a session; its own tests",
}


def _attempt(database: Database, probe: Probe, actor: Actor, case: Case) -> tuple[bool, Any]:
    """(denied, result) of one probe; whatever it did is rolled back."""
    session = Session(database.engine)
    session.begin()
    try:
        return False, probe.run(session, actor, case)
    except PermissionDenied:
        return True, None
    except MottagningError as exc:  # past the permission check, stopped by the bogus input
        return False, exc
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def case(database: Database, worker: Actor, now: datetime) -> Case:
    result = register_simple(database, worker, now=now)
    with database.transaction() as session:
        child_id = items.get_item(session, result.item_ids[0]).child_id
    return Case(result.item_ids[0], child_id, now)


@pytest.fixture
def one_role_actors(
    database: Database, worker: Actor, senior: Actor, assistant: Actor, admin: Actor
) -> dict[Role, Actor]:
    monitor = make_user(database, "overvakning", [Role.MONITOR])
    return {Role.WORKER: worker, Role.SENIOR: senior, Role.ASSISTANT: assistant, Role.ADMIN: admin,
            Role.MONITOR: monitor}


def _available(probe: Probe) -> bool:
    if probe.module is None:
        return True
    try:
        importlib.import_module(probe.module)
    except ModuleNotFoundError:
        return False
    return True


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_gets_exactly_its_row_of_the_permission_table(
    database: Database, case: Case, one_role_actors: dict[Role, Actor], role: Role
) -> None:
    actor = one_role_actors[role]
    wrong = []
    for probe in filter(_available, PROBES):
        denied, result = _attempt(database, probe, actor, case)
        expected_denied = probe.action not in PERMISSIONS[role]
        if denied != expected_denied:
            wrong.append(f"{probe.name} ({probe.action.value}): "
                         f"{'denied' if denied else 'allowed'}, table says "
                         f"{'denied' if expected_denied else 'allowed'} ({result!r})")
    assert not wrong, f"{role.value}:\n" + "\n".join(wrong)


def test_every_action_is_exercised_or_listed_as_not_gated() -> None:
    probed = {p.action for p in PROBES}
    assert probed | set(NOT_GATED_IN_SERVICES) == set(Action)
    assert not probed & set(NOT_GATED_IN_SERVICES), "a gated action is still listed as not gated"


def test_a_user_with_several_roles_has_the_union_of_their_permissions(
    database: Database, case: Case
) -> None:
    from tests.conftest import make_user

    manager = make_user(database, "chefen", [Role.SENIOR, Role.ADMIN])
    for probe in filter(_available, PROBES):
        denied, _ = _attempt(database, probe, manager, case)
        assert not denied, probe.name


def _case_with_assessment_note(database: Database, worker: Actor, case: Case) -> None:
    svc = pytest.importorskip("mottagning.assessment.service")
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, case.item_id, now=case.now)
        svc.save_note(session, worker, state.id, "var_barnet_ar", NOTE, now=case.now)


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.ADMIN], ids=["assistant", "admin"])
def test_assistant_and_system_admin_get_no_case_notes_or_assessments_from_any_service(
    database: Database, case: Case, worker: Actor, one_role_actors: dict[Role, Actor], role: Role
) -> None:
    _case_with_assessment_note(database, worker, case)
    actor = one_role_actors[role]
    for probe in filter(_available, PROBES):
        denied, result = _attempt(database, probe, actor, case)
        if probe.action in (Action.READ_CASE, Action.ASSESS, Action.SECOND_SIGN_ASSESSMENT):
            assert denied, f"{role.value} got past {probe.name}"
        # Whatever the role may call, neither the report text nor a note comes back.
        assert DESCRIPTION not in repr(result) and NOTE not in repr(result), probe.name


def test_a_worker_cannot_sign_a_decision_and_a_senior_can(
    database: Database, case: Case, worker: Actor, senior: Actor
) -> None:
    assessments = pytest.importorskip("mottagning.assessment.service")
    decisions = pytest.importorskip("mottagning.decisions.proposals")
    from mottagning.assessment import NO_IMMEDIATE_NEED
    from mottagning.decisions.delegation import signing_phrase
    from tests.core.assessment.test_assessment_service import _fill, _finish

    state = _fill(database, worker, _start_assessment(database, worker, case, assessments).id, case.now)
    _finish(database, worker, state, case.now, NO_IMMEDIATE_NEED)
    with database.transaction() as session:
        decision_id = decisions.propose_decision(session, worker, case.item_id, _proposal(),
                                                 now=case.now).decision_id
    phrase = signing_phrase("inleda_utredning")
    with pytest.raises(PermissionDenied), database.transaction() as session:
        decisions.sign_decision(session, worker, decision_id, secret=phrase, expected_version=1, now=case.now)
    with database.transaction() as session:
        decisions.sign_decision(session, senior, decision_id, secret=phrase, expected_version=1, now=case.now)


def _start_assessment(database: Database, worker: Actor, case: Case, svc: Any) -> Any:
    with database.transaction() as session:
        return svc.start_or_resume(session, worker, case.item_id, now=case.now)
