"""The second reviewer sees the skyddsbedömning beside the proposal."""

from __future__ import annotations

import pytest

from mottagning.assessment import NO_IMMEDIATE_NEED
from mottagning.assessment.summary import assessment_summary
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from tests.core.assessment.test_assessment_service import _fill, _finish, _item, _start


def test_summary_shows_outcome_answers_and_notes(database: Database, worker: Actor, senior: Actor, now) -> None:
    item_id = _item(database, worker, now)
    with database.transaction() as session:
        assert assessment_summary(session, senior, item_id, now=now) is None
    state = _start(database, worker, item_id, now)
    state = _fill(database, worker, state.id, now)
    _finish(database, worker, state, now, NO_IMMEDIATE_NEED)
    with database.transaction() as session:
        text = assessment_summary(session, senior, item_id, now=now)
    assert "Inget omedelbart skyddsbehov" in text
    assert "I skolan med sin mentor." in text
    assert "Formulär skyddsbedomning version 1" in text


def test_assistant_cannot_read_the_summary(database: Database, worker: Actor, assistant: Actor, now) -> None:
    item_id = _item(database, worker, now)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        assessment_summary(session, assistant, item_id, now=now)
