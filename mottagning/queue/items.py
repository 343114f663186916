"""Changing a queue item: the one place its status moves, and assignment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ConcurrentEdit, NotFound
from mottagning.models import QueueItem, User
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status, check_transition
from mottagning.timeutil import utc_now


def get_item(session: Session, item_id: int, *, expected_version: int | None = None) -> QueueItem:
    item = session.get(QueueItem, item_id)
    if item is None:
        raise NotFound(f"Ärende {item_id} finns inte.")
    if expected_version is not None and item.version != expected_version:
        raise ConcurrentEdit(
            "Någon annan har ändrat ärendet sedan du öppnade det. "
            "Öppna det igen för att se ändringen; ingenting sparades."
        )
    return item


def move_item(
    session: Session, actor: Actor, item: QueueItem, target: Status, *,
    details: dict[str, Any] | None = None, now: datetime | None = None,
) -> None:
    """Move `item` to `target` if the work flow allows it, with its audit event.

    Callers check their own permission (assess, propose, sign) before calling.
    """
    now = now or utc_now()
    previous = item.status
    item.status = check_transition(previous, target)
    item.updated_at = now
    if target is Status.CLOSED:
        item.closed_at = now
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="status_changed",
        entity_type="queue_item", entity_id=item.id, child_id=item.child_id,
        details={"from": previous, "to": target.value, **(details or {})}, now=now,
    )


def assign_items(
    session: Session, actor: Actor, item_ids: list[int], user_id: int | None, *,
    now: datetime | None = None,
) -> Changes:
    """Assign items to a worker (None: unassign); one audit event per item.

    An item someone else already has is moved on only by a senior (`reassign_items`):
    a worker never takes a colleague's case away by accident."""
    actor.require(Action.ASSESS)
    now = now or utc_now()
    if user_id is not None and session.get(User, user_id) is None:
        raise NotFound("Användaren finns inte.")
    for item_id in item_ids:
        item = _locked_item(session, item_id)
        if item.assigned_to_id not in (None, user_id, actor.user_id):
            actor.require(Action.REASSIGN_ITEMS)
        _assign(session, actor, item, user_id, now=now)
    return Changes(queue=True, item_ids=tuple(item_ids))


def reassign_items(
    session: Session, actor: Actor, item_ids: list[int], user_id: int | None, *,
    now: datetime | None = None,
) -> Changes:
    """A senior hands items to another worker, whoever has them now."""
    actor.require(Action.REASSIGN_ITEMS)
    return assign_items(session, actor, item_ids, user_id, now=now)


class AlreadyClaimed(ConcurrentEdit):
    """Someone else took the item first; `holder` is their name."""

    def __init__(self, holder: str):
        super().__init__(
            f"{holder} har redan tagit ärendet. Ingenting ändrades; be en förste "
            "socialsekreterare fördela om det om du ska ha det.")
        self.holder = holder


def claim_item(
    session: Session, actor: Actor, item_id: int, *, now: datetime | None = None,
) -> Changes:
    """"Jag tar den": the actor takes an item nobody has.

    Of two desks claiming at the same moment exactly one wins: the item's row is locked
    before it is read (FOR UPDATE on PostgreSQL; on SQLite the transaction began
    IMMEDIATE), so the second sees the first's claim and is told who has the item."""
    actor.require(Action.ASSESS)
    item = _locked_item(session, item_id)
    if item.assigned_to_id == actor.user_id:
        return Changes(queue=True, item_ids=(item_id,))
    if item.assigned_to_id is not None:
        holder = session.get(User, item.assigned_to_id)
        raise AlreadyClaimed(holder.full_name if holder else f"Användare {item.assigned_to_id}")
    _assign(session, actor, item, actor.user_id, now=now or utc_now(), claimed=True)
    return Changes(queue=True, item_ids=(item_id,))


def _locked_item(session: Session, item_id: int) -> QueueItem:
    item = session.execute(
        select(QueueItem).where(QueueItem.id == item_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if item is None:
        raise NotFound(f"Ärende {item_id} finns inte.")
    return item


def _assign(session: Session, actor: Actor, item: QueueItem, user_id: int | None, *,
            now: datetime, claimed: bool = False) -> None:
    previous = item.assigned_to_id
    item.assigned_to_id = user_id
    item.updated_at = now
    session.flush()
    details: dict[str, Any] = {"assigned_to": user_id}
    if previous not in (None, user_id):
        details["previous"] = previous
    if claimed:
        details["claimed"] = True
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="item_assigned",
        entity_type="queue_item", entity_id=item.id, child_id=item.child_id,
        details=details, now=now,
    )


def hand_over_item(
    session: Session, actor: Actor, item_id: int, *, expected_version: int | None = None,
    now: datetime | None = None,
) -> Changes:
    """The reception unit's part is done after a signed decision (the investigation, or
    the other municipality, takes over): the item leaves the open queue, audited."""
    actor.require(Action.PROPOSE_DECISION)
    item = get_item(session, item_id, expected_version=expected_version)
    move_item(session, actor, item, Status.CLOSED, details={"handed_over": True, "outcome": item.outcome},
              now=now)
    return Changes(queue=True, item_ids=(item_id,))
