"""Violence and immediate-danger flags follow the skyddsbedömning and corrected concern codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mottagning.assessment import NO_IMMEDIATE_NEED
from mottagning.assessment import service as svc
from mottagning.db.database import Database
from mottagning.decisions.proposals import propose_decision
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.intake.concern_flags import correct_concern_codes, violence_in_answers
from mottagning.models import AuditEvent, QueueItem, ReportCorrection
from mottagning.rules.codes import codes
from tests.core.assessment.test_assessment_service import _fill, _finish, _start
from tests.core.decision_helpers import NOT_OPENED, item_in_assessment, propose, sign
from tests.core.factories import register_simple


def _item(database: Database, item_id: int) -> QueueItem:
    with database.transaction() as session:
        item = session.get(QueueItem, item_id)
        session.expunge(item)
        return item


def _assessed_below_floor(database, worker, senior, now, answers, notes) -> int:
    """A report coded only "försummelse" whose assessment finds more, finished below the
    floor (no immediate need) and second-signed: the item goes on to a decision."""
    item_id = register_simple(database, worker, now=now).item_ids[0]
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now,
                  answers=answers, notes=notes)
    done = _finish(database, worker, state, now, NO_IMMEDIATE_NEED,
                   reason="Barnet bor hos mormor tills vidare.")
    with database.transaction() as session:
        svc.second_sign(session, senior, done.id, secret=svc.SECOND_SIGNATURE_PHRASE, now=now)
    return item_id


def test_violence_found_in_the_assessment_flags_the_item_and_the_guard_applies(
    database, worker, senior, now
) -> None:
    item_id = _assessed_below_floor(
        database, worker, senior, now, answers={"vald": "ja", "utovare_hemma": "nej"},
        notes={"vald": "Barnet berättar att pappa slår.", "utovare_hemma": "Pappa har flyttat."})
    item = _item(database, item_id)
    assert item.flag_violence and item.flag_immediate_danger
    with database.transaction() as session, pytest.raises(ValidationError, match="gäller våld"):
        propose_decision(session, worker, item_id, NOT_OPENED, now=now)
    with database.transaction() as session:
        [event] = session.execute(select(AuditEvent).where(
            AuditEvent.action == "item_flags_changed")).scalars().all()
        assert event.details["cause"] == "assessment_finished"
        assert set(event.details["to"]) >= {"violence", "immediate_danger"}


@pytest.mark.parametrize("question", sorted(codes().violence_questions))
def test_every_violence_question_of_the_form_shows_a_violence_concern(question: str) -> None:
    concern = codes().violence_questions[question]
    assert concern in codes().violence_concerns
    assert violence_in_answers({question: "ja"}) == {concern}
    assert violence_in_answers({question: "nej"}) == frozenset()


def test_no_danger_in_the_assessment_leaves_the_flags_as_they_were(
    database, worker, now
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now)
    _finish(database, worker, state, now, NO_IMMEDIATE_NEED)
    item = _item(database, item_id)
    assert not item.flag_violence and not item.flag_immediate_danger


def test_a_worker_corrects_the_concern_codes_with_a_reason_and_the_violence_flag_follows(
    database, worker, senior, assistant, now
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    report_id = _item(database, item_id).report_id
    decision_id = propose(database, worker, item_id, NOT_OPENED, now=now)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        correct_concern_codes(session, assistant, report_id,
                              concern_codes=["vald_mot_barn"], reason="Fel kod.", now=now)
    with database.transaction() as session, pytest.raises(ValidationError, match="varför"):
        correct_concern_codes(session, worker, report_id,
                              concern_codes=["forsummelse", "vald_mot_barn"], reason=" ", now=now)
    with database.transaction() as session:
        correct_concern_codes(session, worker, report_id,
                              concern_codes=["forsummelse", "vald_mot_barn"],
                              reason="Anmälaren beskriver slag i texten.", now=now)
    assert _item(database, item_id).flag_violence
    # The proposal made before the correction cannot be signed without a violence reason.
    with pytest.raises(ValidationError, match="saknar skäl"):
        sign(database, senior, decision_id, now=now, violence_acknowledged=True)
    with database.transaction() as session:
        [correction] = session.execute(select(ReportCorrection)).scalars().all()
        assert correction.field == "concern_codes"
        assert correction.old_value == {"concern_codes": ["forsummelse"]}
        assert correction.reason == "Anmälaren beskriver slag i texten."
        assert correction.corrected_by_id == worker.user_id
        [event] = session.execute(select(AuditEvent).where(
            AuditEvent.action == "concern_codes_corrected")).scalars().all()
        assert event.details["to"] == ["forsummelse", "vald_mot_barn"]
        assert "slag" not in str(event.details)  # the reason is kept as a digest only


def test_removing_the_violence_code_keeps_the_flag_the_assessment_found(
    database, worker, senior, now
) -> None:
    item_id = _assessed_below_floor(
        database, worker, senior, now, answers={"heder": "ja"},
        notes={"heder": "Risk för att barnet förs utomlands."})
    report_id = _item(database, item_id).report_id
    with database.transaction() as session:
        correct_concern_codes(session, worker, report_id, concern_codes=["annat"],
                              reason="Fel kod vid registreringen.", now=now)
    assert _item(database, item_id).flag_violence
