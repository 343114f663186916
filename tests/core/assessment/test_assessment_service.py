"""The skyddsbedömning service: autosave, recommendation, finishing, second signature, guard."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mottagning.assessment import IMMEDIATE_PROTECTION, NO_IMMEDIATE_NEED, load_forms
from mottagning.assessment import service as svc
from mottagning.audit import chain as audit
from mottagning.db.database import Database
from mottagning.errors import ConcurrentEdit, PermissionDenied, ValidationError
from mottagning.models import Alarm, AuditEvent, QueueItem
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE, DRAFT, FINISHED
from mottagning.paths import resource
from mottagning.rules.permissions import Role
from mottagning.rules.status import Status
from tests.conftest import make_user
from tests.core.factories import register_simple

# Every shown question answered with no danger, and the two free-text notes written.
NO_DANGER = {
    "ny_handelse": "nej", "pagatt_lange": "nej", "risk_om_inget_gors": "nej", "vald": "nej",
    "hot": "nej", "overgrepp": "nej", "heder": "nej", "bevittnat_vald": "nej",
    "synliga_skador": "nej", "radd_ga_hem": "nej", "vardnadshavare_paverkad": "nej",
    "vardnadshavare_sjuk": "nej", "skyddande_vuxen": "ja", "ska_hem_till_oro": "nej",
    "andra_barn_finns": "nej", "vardnadshavare_skyddar": "ja", "natverk": "nej",
    "kontakt_riskerar_barnet": "nej", "vardnadshavare_vet": "nej", "barnet_vet": "nej",
    "anmalare_mote": "nej",
}
FREE_NOTES = {"var_barnet_ar": "I skolan med sin mentor.",
              "fungerar_bra": "Skolgången fungerar, mormor finns nära."}


def _item(database: Database, actor, now, **kwargs) -> int:
    return register_simple(database, actor, now=now, **kwargs).item_ids[0]


def _start(database: Database, actor, item_id: int, now, **kwargs) -> svc.AssessmentState:
    with database.transaction() as session:
        return svc.start_or_resume(session, actor, item_id, now=now, **kwargs)


def _fill(database: Database, actor, assessment_id: int, now, answers=None, notes=None):
    state = None
    with database.transaction() as session:
        for question, answer in {**NO_DANGER, **(answers or {})}.items():
            state = svc.save_answer(session, actor, assessment_id, question, answer, now=now)
        for question, text in {**FREE_NOTES, **(notes or {})}.items():
            state = svc.save_note(session, actor, assessment_id, question, text, now=now)
    return state


def _finish(database: Database, actor, state: svc.AssessmentState, now, outcome, reason=None):
    with database.transaction() as session:
        return svc.finish(session, actor, state.id, outcome=outcome, override_reason=reason,
                          expected_version=state.version, now=now)


def _events(database: Database, action: str) -> list[AuditEvent]:
    with database.transaction() as session:
        return list(session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).scalars())


def _item_status(database: Database, item_id: int) -> str:
    with database.transaction() as session:
        return session.get(QueueItem, item_id).status


def test_start_pins_the_current_form_version_and_is_audited(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _start(database, worker, item_id, now)
    form = load_forms().current("skyddsbedomning")
    assert (state.status, state.form.version, state.form.sha256) == (DRAFT, 1, form.sha256)
    [event] = _events(database, "assessment_started")
    assert event.details["form_sha256"] == form.sha256
    again = _start(database, worker, item_id, now)
    assert again.id == state.id
    assert len(_events(database, "assessment_read")) == 1


def test_no_danger_finishes_without_second_signature_and_moves_the_item(
        database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now)
    assert state.recommendation.outcome == NO_IMMEDIATE_NEED
    done = _finish(database, worker, state, now, NO_IMMEDIATE_NEED)
    assert done.status == FINISHED and done.changes.queue
    assert _item_status(database, item_id) == Status.PROTECTION_ASSESSED
    [event] = _events(database, "assessment_finished")
    # the log proves the notes without repeating them (audit events outlive weeding)
    assert event.details["notes"] == {q: audit.text_digest(t) for q, t in FREE_NOTES.items()}
    assert event.details["form_version"] == 1 and event.details["rules_fired"] == []
    assert "andra_barn_utsatta" not in event.details["shown_questions"]


def test_unanswered_questions_and_missing_notes_block_finishing(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _start(database, worker, item_id, now)
    with pytest.raises(ValidationError) as error:
        _finish(database, worker, state, now, NO_IMMEDIATE_NEED)
    assert any("inte besvarad" in problem for problem in error.value.problems)
    assert any("anteckning krävs" in problem for problem in error.value.problems)


RED_FLAGS = [
    ("risk_om_inget_gors", "ja", "flagga_risk_i_dag"),
    ("vald", "ja", "flagga_vald"),
    ("hot", "ja", "flagga_hot"),
    ("overgrepp", "ja", "flagga_overgrepp"),
    ("heder", "ja", "flagga_heder"),
    ("vardnadshavare_paverkad", "ja", "flagga_paverkad"),
    ("vardnadshavare_sjuk", "ja", "flagga_sjuk"),
    ("skyddande_vuxen", "nej", "flagga_utan_skydd"),
]
RULES = [
    ({"radd_ga_hem": "ja", "synliga_skador": "ja"}, "radd_och_skadad"),
    ({"radd_ga_hem": "ja", "ska_hem_till_oro": "ja"}, "radd_och_ska_hem"),
    ({"synliga_skador": "ja", "vardnadshavare_skyddar": "nej"}, "skadad_utan_skydd_hemma"),
    ({"bevittnat_vald": "ja", "utovare_hemma": "ja"}, "utovaren_hemma"),
]


def _try(session, actor, assessment_id: int, answers: dict[str, str], now):
    """Give these answers, return the live recommendation, then put NO_DANGER back."""
    for question, answer in answers.items():
        state = svc.save_answer(session, actor, assessment_id, question, answer, now=now)
    for question in reversed(answers):
        svc.save_answer(session, actor, assessment_id, question, NO_DANGER.get(question), now=now)
    return state.recommendation


def test_each_red_flag_sets_the_floor_and_needs_its_note(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now)
    with database.transaction() as session:
        for question, answer, fired in RED_FLAGS:
            result = _try(session, worker, state.id, {question: answer}, now)
            assert fired in result.rules_fired, question
            assert result.floor == result.outcome == IMMEDIATE_PROTECTION, question
            assert question in result.notes_required, question


def test_each_rule_recommends_immediate_protection(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now)
    with database.transaction() as session:
        for answers, rule in RULES:
            result = _try(session, worker, state.id, answers, now)
            assert rule in result.rules_fired, rule
            assert result.outcome == IMMEDIATE_PROTECTION, rule
        assert svc.get_assessment(session, worker, state.id, now=now).recommendation.rules_fired == []


def test_unknown_on_a_red_flag_raises_the_floor_and_requires_a_note(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now,
                  answers={"vald": "vet_ej"})
    assert state.recommendation.floor == IMMEDIATE_PROTECTION
    assert "flagga_vald:vet_ej" in state.recommendation.rules_fired
    with pytest.raises(ValidationError, match="anteckning krävs"):
        _finish(database, worker, state, now, IMMEDIATE_PROTECTION)


def test_choosing_another_outcome_needs_a_written_reason(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now)
    with pytest.raises(ValidationError, match="skriv varför"):
        _finish(database, worker, state, now, IMMEDIATE_PROTECTION, reason="  ")


def test_below_the_floor_waits_for_a_second_signature_by_another_senior(
        database, worker, senior, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now,
                  answers={"hot": "ja", "utovare_hemma": "nej"},
                  notes={"hot": "Sms-hot från styvpappa, nu gripen."})
    done = _finish(database, worker, state, now, NO_IMMEDIATE_NEED,
                   reason="Hotaren är gripen och sitter häktad.")
    assert done.status == AWAITING_SECOND_SIGNATURE and done.below_floor
    assert _item_status(database, item_id) == Status.RECEIVED
    other_worker = make_user(database, "olle", [Role.WORKER])
    with database.transaction() as session, pytest.raises(PermissionDenied):
        svc.second_sign(session, other_worker, done.id, secret=svc.SECOND_SIGNATURE_PHRASE, now=now)
    with database.transaction() as session, pytest.raises(PermissionDenied, match="Skriv"):
        svc.second_sign(session, senior, done.id, secret="fel fras", now=now)
    with database.transaction() as session:
        signed = svc.second_sign(session, senior, done.id,
                                 secret=svc.SECOND_SIGNATURE_PHRASE, now=now)
    assert signed.status == FINISHED and signed.second_signer == senior.full_name
    assert _item_status(database, item_id) == Status.PROTECTION_ASSESSED
    [event] = _events(database, "assessment_second_signed")
    assert event.user_id == senior.user_id


def test_the_senior_who_finished_cannot_second_sign_it(database, senior, now) -> None:
    item_id = _item(database, senior, now)
    state = _fill(database, senior, _start(database, senior, item_id, now).id, now,
                  answers={"hot": "ja", "utovare_hemma": "nej"},
                  notes={"hot": "Hot i telefon."})
    done = _finish(database, senior, state, now, NO_IMMEDIATE_NEED, reason="Hotet är gammalt.")
    with database.transaction() as session, pytest.raises(PermissionDenied, match="själv"):
        svc.second_sign(session, senior, done.id, secret=svc.SECOND_SIGNATURE_PHRASE, now=now)


def test_a_finished_assessment_is_read_only(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    done = _finish(database, worker, _fill(database, worker,
                   _start(database, worker, item_id, now).id, now), now, NO_IMMEDIATE_NEED)
    with database.transaction() as session, pytest.raises(svc.AssessmentLocked):
        svc.save_answer(session, worker, done.id, "vald", "ja", now=now)
    with database.transaction() as session, pytest.raises(svc.AssessmentLocked):
        svc.save_note(session, worker, done.id, "vald", "ändrat", now=now)
    with database.transaction() as session, pytest.raises(svc.AssessmentLocked):
        svc.finish(session, worker, done.id, outcome=NO_IMMEDIATE_NEED, override_reason=None,
                   expected_version=done.version, now=now)
    assert _start(database, worker, item_id, now).read_only


def test_finishing_from_a_stale_screen_is_refused(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now)
    with database.transaction() as session:
        svc.save_note(session, worker, state.id, "natverk", "Moster", now=now)
    with pytest.raises(ConcurrentEdit):
        _finish(database, worker, state, now, NO_IMMEDIATE_NEED)


def test_note_autosaves_are_audited_at_most_once_a_minute(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _start(database, worker, item_id, now)
    with database.transaction() as session:
        for length in range(1, 30):
            svc.save_note(session, worker, state.id, "var_barnet_ar", "x" * length,
                          now=now + timedelta(seconds=length))
        svc.save_note(session, worker, state.id, "var_barnet_ar", "klart",
                      now=now + timedelta(minutes=2))
    assert len(_events(database, "assessment_notes_saved")) == 2
    assert _start(database, worker, item_id, now).notes == {"var_barnet_ar": "klart"}


def test_assistant_can_neither_read_nor_write_assessments(database, worker, assistant, now) -> None:
    item_id = _item(database, worker, now)
    state = _start(database, worker, item_id, now)
    with database.transaction() as session:
        with pytest.raises(PermissionDenied):
            svc.start_or_resume(session, assistant, item_id, now=now)
        with pytest.raises(PermissionDenied):
            svc.get_assessment(session, assistant, state.id, now=now)
        with pytest.raises(PermissionDenied):
            svc.save_answer(session, assistant, state.id, "vald", "nej", now=now)


def test_reading_an_assessment_is_audited(database, worker, now) -> None:
    state = _start(database, worker, _item(database, worker, now), now)
    with database.transaction() as session:
        svc.get_assessment(session, worker, state.id, now=now)
    assert [e.user_id for e in _events(database, "assessment_read")] == [worker.user_id]


def test_contact_with_guardians_is_blocked_until_the_assessment_counts(
        database, worker, senior, now) -> None:
    item_id = _item(database, worker, now)
    with database.transaction() as session, pytest.raises(svc.ProtectionNotAssessed,
                                                         match="inte påbörjad"):
        svc.require_protection_assessed(session, item_id)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now,
                  answers={"hot": "ja", "utovare_hemma": "nej"},
                  notes={"hot": "Hot i telefon."})
    done = _finish(database, worker, state, now, NO_IMMEDIATE_NEED, reason="Hotet är gammalt.")
    with database.transaction() as session, pytest.raises(svc.ProtectionNotAssessed,
                                                         match="väntar på andra signatur"):
        svc.require_protection_assessed(session, item_id)
    with database.transaction() as session:
        assert svc.assessment_statuses(session, [item_id]) == {item_id: AWAITING_SECOND_SIGNATURE}
        svc.second_sign(session, senior, done.id, secret=svc.SECOND_SIGNATURE_PHRASE, now=now)
    with database.transaction() as session:
        svc.require_protection_assessed(session, item_id)


def test_immediate_protection_makes_the_item_acute_with_an_urgent_proposal(
        database, worker, now) -> None:
    pytest.importorskip("mottagning.decisions.proposals")
    item_id = _item(database, worker, now, concerns=("vald_mot_barn",))
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now,
                  answers={"vald": "ja", "utovare_hemma": "ja"},
                  notes={"vald": "Blåmärken på armen.", "utovare_hemma": "Pappa bor hemma."})
    done = _finish(database, worker, state, now, IMMEDIATE_PROTECTION)
    assert done.status == FINISHED and done.proposal_id is not None
    assert done.changes.decisions
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).flag_immediate_danger
        ticked = svc.update_checklist(session, worker, done.id, "polis", True, now=now)
    assert ticked.checklist == {"polis": True}
    assert _events(database, "assessment_checklist_updated")


def _copy_forms(tmp_path: Path) -> Path:
    directory = tmp_path / "forms"
    shutil.copytree(resource("forms"), directory)
    return directory


def test_a_changed_released_form_refuses_to_start_and_raises_an_alarm(
        database, worker, now, tmp_path) -> None:
    directory = _copy_forms(tmp_path)
    path = directory / "skyddsbedomning-1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Akut fara", "Fara"),
                    encoding="utf-8")
    forms = load_forms(directory)
    item_id = _item(database, worker, now)
    with database.transaction() as session:
        assert svc.report_form_problems(session, worker, forms=forms, now=now) == 1
    with pytest.raises(svc.AssessmentUnavailable, match="systemförvaltaren"):
        _start(database, worker, item_id, now, forms=forms)
    with database.transaction() as session:
        [alarm] = session.execute(select(Alarm)).scalars().all()
        assert alarm.kind == svc.FORM_PROBLEM and "ändrats" in alarm.detail


def test_a_broken_newer_version_leaves_workers_on_the_last_valid_one(
        database, worker, now, tmp_path) -> None:
    directory = _copy_forms(tmp_path)
    (directory / "skyddsbedomning-2.toml").write_text('id = "skyddsbedomning"\nversion = 2\n',
                                                      encoding="utf-8")
    forms = load_forms(directory)
    state = _start(database, worker, _item(database, worker, now), now, forms=forms)
    assert state.form.version == 1
    with database.transaction() as session:
        assert session.execute(select(Alarm.kind)).scalars().all()


_CHILD = """
import sys, time
from mottagning.db.database import Database, create_db_engine
from mottagning.assessment import service as svc
from mottagning.context import Actor
url, assessment_id, user_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
actor = Actor(user_id, "anna", "Anna Testsson", frozenset({"worker"}))
database = Database(url, create_db_engine(url))
for number, (question, answer) in enumerate(%r.items(), 1):
    with database.transaction() as session:  # one autosave = one transaction, as in the GUI
        svc.save_answer(session, actor, assessment_id, question, answer)
        if number == 3:
            svc.save_note(session, actor, assessment_id, "var_barnet_ar", "Hos mormor")
    print(number, flush=True)
time.sleep(60)
"""


def test_answers_survive_the_process_being_killed_mid_assessment(database, worker, now) -> None:
    item_id = _item(database, worker, now)
    state = _start(database, worker, item_id, now)
    answers = dict(list(NO_DANGER.items())[:5])
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD % answers, database.url, str(state.id),
         str(worker.user_id)], stdout=subprocess.PIPE, text=True)
    try:
        for expected in range(1, len(answers) + 1):
            assert child.stdout.readline().strip() == str(expected)
        child.send_signal(signal.SIGKILL)  # mid-assessment: the screen is still open
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.stdout.close()
    reopened = _start(database, worker, item_id, now)
    assert reopened.answers == answers and reopened.status == DRAFT
    assert reopened.notes == {"var_barnet_ar": "Hos mormor"}
    assert reopened.focus_question == list(answers)[-1]
