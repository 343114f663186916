"""The drafts service: the user's own autosaved working copies."""

from __future__ import annotations

from datetime import datetime, timedelta

from mottagning.access.drafts import discard_draft, list_drafts, load_draft, save_draft
from mottagning.context import Actor
from mottagning.db.database import Database

KIND = "register_report"


def test_saved_draft_comes_back_with_its_time(database: Database, worker: Actor, now: datetime):
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="new", content={"description": "Hej"}, now=now)
    with database.transaction() as session:
        draft = load_draft(session, worker, kind=KIND, key="new")
    assert draft is not None
    assert draft.content == {"description": "Hej"}
    assert draft.saved_at == now


def test_saving_again_replaces_the_draft(database: Database, worker: Actor, now: datetime):
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="new", content={"v": 1}, now=now)
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="new", content={"v": 2},
                   now=now + timedelta(seconds=5))
    with database.transaction() as session:
        drafts = list_drafts(session, worker, KIND)
    assert [d.content for d in drafts] == [{"v": 2}]
    assert drafts[0].saved_at == now + timedelta(seconds=5)


def test_drafts_are_private_to_their_user(
    database: Database, worker: Actor, senior: Actor, now: datetime
):
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="new", content={"v": "anna"}, now=now)
    with database.transaction() as session:
        assert load_draft(session, senior, kind=KIND, key="new") is None
        assert list_drafts(session, senior, KIND) == []


def test_discarded_draft_is_gone(database: Database, worker: Actor, now: datetime):
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="new", content={"v": 1}, now=now)
    with database.transaction() as session:
        assert discard_draft(session, worker, kind=KIND, key="new") is True
    with database.transaction() as session:
        assert load_draft(session, worker, kind=KIND, key="new") is None
        assert discard_draft(session, worker, kind=KIND, key="new") is False


def test_list_drafts_is_newest_first_and_per_kind(database: Database, worker: Actor, now: datetime):
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="a", content={}, now=now)
        save_draft(session, worker, kind=KIND, key="b", content={}, now=now + timedelta(minutes=1))
        save_draft(session, worker, kind="assessment", key="7", content={}, now=now)
    with database.transaction() as session:
        assert [d.key for d in list_drafts(session, worker, KIND)] == ["b", "a"]


def test_every_draft_of_the_user_is_listed_for_the_start_up_offer(
    database: Database, worker: Actor, senior: Actor, now: datetime
):
    with database.transaction() as session:
        save_draft(session, worker, kind=KIND, key="new", content={"v": 1}, now=now)
        save_draft(session, worker, kind="decision_proposal", key="7", content={"v": 2},
                   now=now + timedelta(minutes=1))
        save_draft(session, senior, kind=KIND, key="new", content={"v": 3}, now=now)
    with database.transaction() as session:
        drafts = list_drafts(session, worker)
    assert [(d.kind, d.key) for d in drafts] == [("decision_proposal", "7"), (KIND, "new")]
