"""The decision service: four eyes, re-authentication, delegation, violence guard, return."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.delegation import set_delegation
from mottagning.decisions.proposals import (
    ProposalInput,
    create_urgent_proposal,
    propose_decision,
    return_decision,
    sign_decision,
    update_proposal,
)
from mottagning.decisions.views import list_awaiting, my_returned
from mottagning.errors import ConcurrentEdit, InvalidTransition, PermissionDenied, ValidationError
from mottagning.models import AuditEvent, QueueItem
from mottagning.models.decisions import Decision, FeedbackTask
from mottagning.queue.items import get_item, move_item
from mottagning.rules.status import Status
from tests.conftest import make_user
from tests.core.decision_helpers import (
    NOT_OPENED,
    OPENED,
    item_in_assessment,
    propose,
    sign,
    version_of,
)
from tests.core.factories import register_simple


def _signed_events(database: Database) -> int:
    with database.transaction() as session:
        return session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decision_signed")
        ).scalar_one()


def test_nobody_signs_their_own_proposal(database: Database, senior: Actor, now: datetime) -> None:
    item_id = item_in_assessment(database, senior, now=now)
    decision_id = propose(database, senior, item_id, now=now)
    with pytest.raises(PermissionDenied, match="ditt eget förslag"):
        sign(database, senior, decision_id, now=now)
    with database.transaction() as session:
        assert session.get(Decision, decision_id).status == "awaiting"
        assert get_item(session, item_id).status == Status.DECISION_PROPOSED
    assert _signed_events(database) == 0


def test_wrong_phrase_is_refused_and_nothing_is_written(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    with pytest.raises(PermissionDenied, match="Jag signerar beslutet att inleda utredning"):
        sign(database, senior, decision_id, now=now, secret="ja")
    assert _signed_events(database) == 0
    sign(database, senior, decision_id, now=now, secret="  jag signerar BESLUTET att inleda utredning ")
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.status == "signed" and decision.signed_by_id == senior.user_id
        assert "Förste socialsekreterare" in decision.signer_delegation
        item = get_item(session, item_id)
        assert (item.status, item.outcome) == (Status.DECISION_SIGNED, "inleda_utredning")


def test_signing_needs_the_role_and_the_delegation(
    database: Database, worker: Actor, senior: Actor, admin: Actor, now: datetime
) -> None:
    other_worker = make_user(database, "erik", ["worker"])
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    with pytest.raises(PermissionDenied, match="signera beslut"):
        sign(database, other_worker, decision_id, now=now)
    with database.transaction() as session:
        set_delegation(session, admin, "inleda_utredning", ["admin"], now=now)
    with pytest.raises(PermissionDenied, match="delegation.*systemförvaltare"):
        sign(database, senior, decision_id, now=now)
    with database.transaction() as session:
        set_delegation(session, admin, "inleda_utredning", ["senior"], now=now)
    sign(database, senior, decision_id, now=now)


def test_not_opening_on_a_violence_flagged_report_needs_reason_and_acknowledgement(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, concerns=("vald_mot_barn",))
    with database.transaction() as session, pytest.raises(ValidationError, match="gäller våld"):
        propose_decision(session, worker, item_id, NOT_OPENED, now=now)
    with_reason = ProposalInput(**{**NOT_OPENED.__dict__, "violence_reason": "Polisen utreder; barnet bor hos mormor."})
    decision_id = propose(database, worker, item_id, with_reason, now=now)
    with pytest.raises(ValidationError, match="Bekräfta att du sett våldsmarkeringen"):
        sign(database, senior, decision_id, now=now)
    sign(database, senior, decision_id, now=now, violence_acknowledged=True)
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.violence_acknowledged and decision.violence_reason.startswith("Polisen")


def test_a_proposal_changed_since_it_was_opened_is_not_signed(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    seen_version = version_of(database, decision_id)
    changed = ProposalInput(outcome="inleda_utredning", motivation="Ny motivering efter samtal.")
    with database.transaction() as session:
        update_proposal(session, worker, decision_id, changed, expected_version=seen_version, now=now)
    with database.transaction() as session, pytest.raises(ConcurrentEdit, match="Öppna det igen"):
        sign_decision(session, senior, decision_id, secret="Jag signerar beslutet att inleda utredning",
                      expected_version=seen_version, now=now)
    assert _signed_events(database) == 0


def test_a_signed_decision_cannot_be_changed_through_the_service(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    sign(database, senior, decision_id, now=now)
    with database.transaction() as session, pytest.raises(InvalidTransition, match="rättelse"):
        update_proposal(session, worker, decision_id, OPENED,
                        expected_version=session.get(Decision, decision_id).version, now=now)


def test_return_with_comment_reaches_the_proposer_and_a_new_proposal_replaces_it(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    with database.transaction() as session, pytest.raises(ValidationError, match="kommentar"):
        return_decision(session, senior, decision_id, comment="  ", expected_version=1, now=now)
    with database.transaction() as session:
        return_decision(session, senior, decision_id, comment="Ring skolan först.",
                        expected_version=version_of(database, decision_id), now=now)
    with database.transaction() as session:
        returned = my_returned(session, worker)
        assert [(r.id, r.return_comment, r.returned_by) for r in returned] == [
            (decision_id, "Ring skolan först.", "Maria Testsson")]
        assert get_item(session, item_id).status == Status.RETURNED
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "decision_returned")).scalar_one()
        assert event.details["comment"] == audit.text_digest("Ring skolan först.")
        assert my_returned(session, senior) == []
    new_id = propose(database, worker, item_id, now=now + timedelta(hours=1))
    with database.transaction() as session:
        assert session.get(Decision, decision_id).status == "superseded"
        assert my_returned(session, worker) == []
        assert [r.id for r in list_awaiting(session, senior, now=now)] == [new_id]


def test_urgent_proposal_from_the_protection_assessment_heads_the_pane(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    older = item_in_assessment(database, worker, now=now, offset=timedelta(days=13))
    propose(database, worker, older, now=now)
    result = register_simple(database, worker, now=now, immediate_danger=True,
                             concerns=("vald_mot_barn",))
    with database.transaction() as session:
        item = get_item(session, result.item_ids[0])
        move_item(session, worker, item, Status.PROTECTION_ASSESSED, now=now)
        urgent_id = create_urgent_proposal(session, worker, item.id, assessment_id=42, now=now)
        assert item.status == Status.DECISION_PROPOSED
    with database.transaction() as session:
        awaiting = list_awaiting(session, senior, now=now)
        assert awaiting[0].id == urgent_id and awaiting[0].urgent
        assert session.get(Decision, urgent_id).outcome == "inleda_utredning"


def test_not_opened_report_is_filed_and_the_mandatory_reporter_gets_a_feedback_task(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, NOT_OPENED, now=now)
    sign(database, senior, decision_id, now=now)
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).status == Status.CLOSED
        task = session.execute(select(FeedbackTask)).scalar_one()
        assert (task.content, task.done) == ("not_opened", False)
        assert task.due_at.date().isoformat() == "2026-12-08"


def test_anonymous_reporter_gets_no_feedback_task(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    item_id = item_in_assessment(database, worker, now=now, anonymous=True)
    sign(database, senior, propose(database, worker, item_id, now=now), now=now)
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(FeedbackTask)).scalar_one() == 0
