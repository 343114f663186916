"""Builders for decision tests: an item ready for a proposal, a proposal, a signature."""

from __future__ import annotations

from datetime import datetime, timedelta

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.delegation import signing_phrase
from mottagning.decisions.proposals import ProposalInput, propose_decision, sign_decision
from mottagning.models.decisions import Decision
from mottagning.queue.items import get_item, move_item
from mottagning.rules.status import Status
from tests.core.factories import register_simple

NOT_OPENED = ProposalInput(
    outcome="inte_inleda_utredning", motivation="Familjen har själv sökt stöd hos BUP.",
    open_support_offered=True, guardians_to_be_informed=True,
)
OPENED = ProposalInput(outcome="inleda_utredning", motivation="Uppgifterna behöver utredas.")


def item_in_assessment(
    database: Database, actor: Actor, *, now: datetime, offset: timedelta = timedelta(hours=1),
    **kwargs,
) -> int:
    """Register a report and move its item to the förhandsbedömning; returns the item id."""
    result = register_simple(database, actor, now=now, offset=offset, **kwargs)
    item_id = result.item_ids[0]
    with database.transaction() as session:
        item = get_item(session, item_id)
        move_item(session, actor, item, Status.PROTECTION_ASSESSED, now=now)
        move_item(session, actor, item, Status.INITIAL_ASSESSMENT, now=now)
    return item_id


def propose(database: Database, actor: Actor, item_id: int, proposal: ProposalInput = OPENED, *,
            now: datetime) -> int:
    with database.transaction() as session:
        return propose_decision(session, actor, item_id, proposal, now=now).decision_id


def version_of(database: Database, decision_id: int) -> int:
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        return decision.version


def sign(database: Database, actor: Actor, decision_id: int, *, now: datetime,
         secret: str | None = None, violence_acknowledged: bool = False,
         overrun_reason: str | None = None) -> None:
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        sign_decision(session, actor, decision_id, secret=secret or signing_phrase(decision.outcome),
                      expected_version=decision.version, violence_acknowledged=violence_acknowledged,
                      overrun_reason=overrun_reason, now=now)
