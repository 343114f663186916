"""The item's newest signed decision: what letters report and what a correction corrects."""

from __future__ import annotations

import pytest

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.delegation import signing_phrase
from mottagning.decisions.proposals import sign_decision
from mottagning.decisions.views import open_latest_signed
from mottagning.errors import NotFound
from mottagning.models.decisions import Decision
from tests.core.decision_helpers import item_in_assessment, propose


def test_an_item_without_a_signed_decision_has_nothing_to_correct(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    with database.transaction() as session, pytest.raises(NotFound, match="inget signerat beslut"):
        open_latest_signed(session, senior, item_id)
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        sign_decision(session, senior, decision_id, secret=signing_phrase(decision.outcome),
                      expected_version=decision.version, now=now)
    with database.transaction() as session:
        assert open_latest_signed(session, senior, item_id).decision.id == decision_id
