"""No lost update on a skyddsbedömning: each answer and note carries a version, and a save
over a newer one (another desk changed the same question) is refused with the newer value."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mottagning.assessment import service as svc
from mottagning.models import AuditEvent
from mottagning.models.assessment import Assessment
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple

NOTE_QUESTION = "var_barnet_ar"


@pytest.fixture
def two_desks(database, worker, now):  # type: ignore[no-untyped-def]
    colleague = make_user(database, "erik", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, item_id, now=now)
    return worker, colleague, state.id


def _answer(database, actor, assessment_id, answer, expected, now, **kwargs):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return svc.save_answer(session, actor, assessment_id, "vald", answer,
                               expected_version=expected, now=now, **kwargs)


def _note(database, actor, assessment_id, text, expected, now, **kwargs):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return svc.save_note(session, actor, assessment_id, NOTE_QUESTION, text,
                             expected_version=expected, now=now, **kwargs)


def _saved(database, assessment_id):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        row = session.get(Assessment, assessment_id)
        return dict(row.answers), dict(row.notes)


def test_an_answer_saved_over_a_newer_one_is_refused_with_the_newer_answer(
        database, two_desks, now) -> None:
    worker, colleague, assessment_id = two_desks
    first = _answer(database, worker, assessment_id, "nej", 0, now)
    assert first.answer_versions["vald"] == 1
    _answer(database, colleague, assessment_id, "ja", 1, now)
    with pytest.raises(svc.AnswerChanged) as refused:
        _answer(database, worker, assessment_id, "vet_ej", 1, now)
    assert (refused.value.theirs, refused.value.version) == ("ja", 2)
    assert refused.value.saved_by == "Erik Testsson"
    assert refused.value.field == svc.ANSWER and refused.value.question_id == "vald"
    assert _saved(database, assessment_id)[0]["vald"] == "ja"  # nothing overwritten


def test_choosing_after_a_conflict_saves_over_the_newer_version_and_is_audited(
        database, two_desks, now) -> None:
    worker, colleague, assessment_id = two_desks
    _answer(database, worker, assessment_id, "nej", 0, now)
    _answer(database, colleague, assessment_id, "ja", 1, now)
    with database.transaction() as session:
        svc.keep_conflict_draft(session, worker, assessment_id, field=svc.ANSWER,
                                question_id="vald", value="vet_ej")
    state = _answer(database, worker, assessment_id, "vet_ej", 2, now, after_conflict=True)
    assert state.answers["vald"] == "vet_ej" and state.answer_versions["vald"] == 3
    with database.transaction() as session:
        assert svc.conflict_drafts(session, worker, assessment_id) == []
        details = session.execute(select(AuditEvent.details).where(
            AuditEvent.action == "assessment_answered").order_by(AuditEvent.id)).scalars().all()
    assert [d["answer"] for d in details] == ["nej", "ja", "vet_ej"]
    assert details[-1]["after_conflict"] is True and details[-1]["previous"] == "ja"


def test_the_same_answer_from_two_desks_is_no_conflict(database, two_desks, now) -> None:
    worker, colleague, assessment_id = two_desks
    _answer(database, colleague, assessment_id, "ja", 0, now)
    state = _answer(database, worker, assessment_id, "ja", 0, now)
    assert state.answer_versions["vald"] == 2


def test_a_note_saved_over_a_newer_note_is_refused_and_the_draft_waits(
        database, two_desks, now) -> None:
    worker, colleague, assessment_id = two_desks
    _note(database, worker, assessment_id, "I skolan.", 0, now)
    _note(database, colleague, assessment_id, "Hos mormor sedan i går.", 1, now)
    mine = "I skolan med sin mentor."
    with pytest.raises(svc.AnswerChanged) as refused:
        _note(database, worker, assessment_id, mine, 1, now)
    assert (refused.value.theirs, refused.value.version) == ("Hos mormor sedan i går.", 2)
    assert refused.value.field == svc.NOTE
    with database.transaction() as session:
        svc.keep_conflict_draft(session, worker, assessment_id, field=svc.NOTE,
                                question_id=NOTE_QUESTION, value=mine)
    with database.transaction() as session:
        assert svc.conflict_drafts(session, worker, assessment_id) == [
            svc.ConflictDraft(svc.NOTE, NOTE_QUESTION, mine)]
    assert _saved(database, assessment_id)[1][NOTE_QUESTION] == "Hos mormor sedan i går."
    merged = "I skolan med sin mentor. Hos mormor sedan i går."
    state = _note(database, worker, assessment_id, merged, 2, now, after_conflict=True)
    assert state.notes[NOTE_QUESTION] == merged and state.note_versions[NOTE_QUESTION] == 3
    with database.transaction() as session:
        assert svc.conflict_drafts(session, worker, assessment_id) == []
        resolved = session.execute(select(AuditEvent.details).where(
            AuditEvent.action == "assessment_notes_saved").order_by(AuditEvent.id.desc())
        ).scalars().first()
    assert resolved["after_conflict"] is True and resolved["version"] == 3


def test_one_desks_autosaves_in_a_row_never_conflict_with_each_other(
        database, two_desks, now) -> None:
    worker, _colleague, assessment_id = two_desks
    for expected, text in enumerate(["I", "I sk", "I skolan"]):
        state = _note(database, worker, assessment_id, text, expected, now)
    assert state.note_versions[NOTE_QUESTION] == 3


def test_other_questions_changed_meanwhile_are_no_conflict(database, two_desks, now) -> None:
    worker, colleague, assessment_id = two_desks
    _note(database, colleague, assessment_id, "Hos mormor.", 0, now)
    state = _answer(database, worker, assessment_id, "nej", 0, now)
    assert state.answers["vald"] == "nej" and state.notes[NOTE_QUESTION] == "Hos mormor."


def test_an_assessment_is_never_finished_on_answers_another_desk_changed_unseen(
        database, two_desks, now) -> None:
    from mottagning.assessment import NO_IMMEDIATE_NEED
    from mottagning.errors import ConcurrentEdit
    from tests.core.assessment.test_assessment_service import _fill

    worker, colleague, assessment_id = two_desks
    state = _fill(database, worker, assessment_id, now)
    seen = dict(state.answers)
    _answer(database, colleague, assessment_id, "ja", state.answer_versions["vald"], now)
    with database.transaction() as session:
        latest = svc.get_assessment(session, worker, assessment_id, now=now)
    with database.transaction() as session, pytest.raises(ConcurrentEdit, match="som du inte har sett"):
        svc.finish(session, worker, assessment_id, outcome=NO_IMMEDIATE_NEED, override_reason=None,
                   expected_version=latest.version, seen_answers=seen, now=now)
    with database.transaction() as session:
        assert svc.get_assessment(session, worker, assessment_id, now=now).status == "draft"
