"""Answers and notes of a skyddsbedömning that could not be saved because the server was
gone, kept so that neither a crash nor closing the program loses them.

While they wait, the screen keeps them on this computer (`local_drafts`, kind
`PENDING_DRAFT_KIND`, key the queue item's id), each with the version it was based on. The
program's start moves such a local copy into the user's drafts in the database (as it does
for every form's draft); reopening the assessment reads whichever copy exists and saves the
values again through the normal versioned save, so a newer version saved meanwhile at
another desk opens the conflict view instead of being overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mottagning.access import drafts, local_drafts
from mottagning.context import Actor

PENDING_DRAFT_KIND = "assessment_pending"


@dataclass(frozen=True)
class PendingValue:
    """One answer ("answer") or note ("note") not yet saved, and the version it was based
    on (the version its save expects)."""

    field: str
    question_id: str
    value: str | None
    version: int


@dataclass(frozen=True)
class FoundPending:
    values: list[PendingValue]
    in_database: bool
    """The values came from the user's drafts in the database (moved there at start-up):
    that draft is discarded once they are saved."""


def pending_key(item_id: int) -> str:
    return str(item_id)


def pending_content(assessment_id: int, values: list[PendingValue]) -> dict[str, Any]:
    return {"assessment": assessment_id,
            "values": [{"field": v.field, "question": v.question_id, "value": v.value,
                        "version": v.version} for v in values]}


def _values(content: dict[str, Any], assessment_id: int) -> list[PendingValue]:
    if content.get("assessment") != assessment_id:
        return []  # a draft of an assessment that no longer exists: nothing to apply
    return [PendingValue(v["field"], v["question"], v["value"], int(v["version"]))
            for v in content.get("values", [])]


def keep_locally(database: str, actor: Actor, *, item_id: int, assessment_id: int,
                 values: list[PendingValue]) -> bool:
    """Keep the unsaved values on this computer (replacing the older copy); False when
    only in memory (no keyring)."""
    return local_drafts.keep(local_drafts.LocalDraft(
        database, actor.user_id, PENDING_DRAFT_KIND, pending_key(item_id),
        pending_content(assessment_id, values)))


def forget_locally(database: str, actor: Actor, *, item_id: int) -> None:
    """Every value has reached the database: remove the local copy."""
    release_locally(database, actor, item_id=item_id)
    local_drafts.forget(database, actor.user_id, PENDING_DRAFT_KIND, pending_key(item_id))


def hold_locally(database: str, actor: Actor, *, item_id: int) -> None:
    """The open screen sends the values again itself: the window's move of local drafts
    into the database (when the server is back) leaves this copy alone."""
    local_drafts.hold(database, actor.user_id, PENDING_DRAFT_KIND, pending_key(item_id))


def release_locally(database: str, actor: Actor, *, item_id: int) -> None:
    """The screen has closed: a copy left waits for the window's move into the database."""
    local_drafts.release(database, actor.user_id, PENDING_DRAFT_KIND, pending_key(item_id))


def find_pending(session: Session, actor: Actor, database: str, *, item_id: int,
                 assessment_id: int) -> FoundPending:
    """The values still waiting for this assessment: the copy on this computer when there
    is one (it is the newest), else the one the program's start moved into the database."""
    key = pending_key(item_id)
    for draft in local_drafts.pending(database, actor.user_id):
        if draft.kind == PENDING_DRAFT_KIND and draft.key == key:
            return FoundPending(_values(draft.content, assessment_id),
                                in_database=_in_database(session, actor, key))
    stored = drafts.load_draft(session, actor, kind=PENDING_DRAFT_KIND, key=key)
    if stored is None:
        return FoundPending([], in_database=False)
    return FoundPending(_values(stored.content, assessment_id), in_database=True)


def _in_database(session: Session, actor: Actor, key: str) -> bool:
    return drafts.load_draft(session, actor, kind=PENDING_DRAFT_KIND, key=key) is not None


def discard_pending(session: Session, actor: Actor, *, item_id: int) -> None:
    """The values moved into the database at start-up are saved (or wait in a conflict
    draft): their draft goes."""
    drafts.discard_draft(session, actor, kind=PENDING_DRAFT_KIND, key=pending_key(item_id))
