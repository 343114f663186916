"""Two seniors at two desks sign the same proposal at the same moment: one signature."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import AuditEvent
from mottagning.models.decisions import Decision
from mottagning.rules.permissions import Role
from tests.conftest import FIXED_NOW, make_user
from tests.core.decision_helpers import item_in_assessment, propose, sign
from tests.core.processes import run_together


def _sign(database: Database, senior: Actor, decision_id: int) -> int:
    sign(database, senior, decision_id, now=FIXED_NOW)
    return senior.user_id


@pytest.mark.postgres
def test_two_seniors_signing_the_same_proposal_at_once_give_exactly_one_signature(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    other_senior = make_user(database, "greta", [Role.SENIOR])
    decision_id = propose(database, worker, item_in_assessment(database, worker, now=now), now=now)
    outcomes = run_together(database.url, _sign,
                            [(senior, decision_id), (other_senior, decision_id)])
    signers = [value for outcome, value in outcomes if outcome == "ok"]
    refusals = [value for outcome, value in outcomes if outcome == "refused"]
    assert len(signers) == 1 and len(refusals) == 1, outcomes
    assert "ändrat" in refusals[0] or "signerat" in refusals[0]
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        signatures = session.execute(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == "decision_signed")).scalar_one()
    assert decision.signed_by_id == signers[0]
    assert signatures == 1
