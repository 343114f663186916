"""Answers the server never got (it was gone) wait on this computer, reach the user's
drafts at the next start, and are found again when the assessment is reopened."""

from __future__ import annotations

from pathlib import Path

import pytest

from mottagning.access import local_drafts
from mottagning.assessment import pending
from mottagning.assessment import service as svc
from mottagning.db.database import Database
from tests.core.factories import register_simple

WAITING = [pending.PendingValue(svc.ANSWER, "vald", "ja", 0),
           pending.PendingValue(svc.NOTE, "var_barnet_ar", "I skolan.", 2)]


@pytest.fixture
def folder(local_drafts_in_a_temp_folder: Path) -> Path:
    return local_drafts_in_a_temp_folder


def _find(database: Database, actor, item_id: int, assessment_id: int) -> pending.FoundPending:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return pending.find_pending(session, actor, database.display_name(), item_id=item_id,
                                    assessment_id=assessment_id)


def test_waiting_answers_survive_a_restart_and_go_once_saved(
        database: Database, worker, folder: Path, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        assessment_id = svc.start_or_resume(session, worker, item_id, now=now).id
    name = database.display_name()
    assert pending.keep_locally(name, worker, item_id=item_id, assessment_id=assessment_id,
                                values=WAITING)
    (kept,) = folder.glob("*.utkast")
    assert b"skolan" not in kept.read_bytes()
    assert _find(database, worker, item_id, assessment_id) == pending.FoundPending(
        WAITING, in_database=False)

    # the next start moves it into the user's drafts (main window), then forgets the copy
    with database.transaction() as session:
        moved = local_drafts.save_pending(session, worker, name)
    for draft in moved:
        local_drafts.forget(name, worker.user_id, draft.kind, draft.key)
    assert not list(folder.glob("*.utkast"))
    assert _find(database, worker, item_id, assessment_id) == pending.FoundPending(
        WAITING, in_database=True)
    assert _find(database, worker, item_id, assessment_id + 1).values == []  # another one

    with database.transaction() as session:
        pending.discard_pending(session, worker, item_id=item_id)
    assert _find(database, worker, item_id, assessment_id) == pending.FoundPending(
        [], in_database=False)
