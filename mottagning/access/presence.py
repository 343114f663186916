"""Presence on a case: who else has the same item's skyddsbedömning or proposal open for
editing, so that the screen says so before anyone starts typing.

Like a draft, presence is the user's own bookkeeping, not case content: it writes no
audit event (opening the case itself is audited where it is read). A form marks itself
when it opens and every `HEARTBEAT` while open, and unmarks itself when it closes; a row
not refreshed for `STALE_AFTER` (a crashed desk, a lost connection) no longer counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mottagning.context import Actor
from mottagning.models import EditingPresence, User
from mottagning.timeutil import utc_now

ASSESSMENT = "assessment"
PROPOSAL = "proposal"
HEARTBEAT = timedelta(seconds=20)
STALE_AFTER = timedelta(seconds=60)


def others_editing(session: Session, actor: Actor, *, kind: str, item_id: int,
                   now: datetime | None = None) -> list[str]:
    """The names of the other users editing `kind` of `item_id` now, earliest first."""
    now = now or utc_now()
    rows = session.execute(
        select(User.full_name)
        .join(EditingPresence, EditingPresence.user_id == User.id)
        .where(EditingPresence.kind == kind, EditingPresence.item_id == item_id,
               EditingPresence.user_id != actor.user_id,
               EditingPresence.seen_at >= now - STALE_AFTER)
        .order_by(EditingPresence.since, User.full_name)
    ).scalars()
    return list(rows)


def mark_editing(session: Session, actor: Actor, *, kind: str, item_id: int,
                 now: datetime | None = None) -> list[str]:
    """The actor has the form open (call again as a heartbeat); returns who else has."""
    now = now or utc_now()
    # Rows of desks that crashed or lost the server go: they would hold an item forever.
    session.execute(delete(EditingPresence).where(EditingPresence.seen_at < now - STALE_AFTER))
    row = session.execute(
        select(EditingPresence).where(EditingPresence.user_id == actor.user_id,
                                      EditingPresence.kind == kind,
                                      EditingPresence.item_id == item_id)
    ).scalar_one_or_none()
    if row is None:
        session.add(EditingPresence(user_id=actor.user_id, kind=kind, item_id=item_id,
                                    since=now, seen_at=now))
    else:
        row.seen_at = now
    session.flush()
    return others_editing(session, actor, kind=kind, item_id=item_id, now=now)


def stop_editing(session: Session, actor: Actor, *, kind: str, item_id: int) -> None:
    """The actor closed the form."""
    row = session.execute(select(EditingPresence).where(
        EditingPresence.user_id == actor.user_id, EditingPresence.kind == kind,
        EditingPresence.item_id == item_id)).scalar_one_or_none()
    if row is not None:
        session.delete(row)  # through the unit of work, so the other desks hear of it
        session.flush()
