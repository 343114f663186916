"""Autosaved drafts of unfinished forms, so nothing typed is lost when a window or the
program dies before the worker saves.

A draft is the user's own working copy, keyed by (user, kind, key): it is not case
content yet, so saving one writes no audit event (autosave runs about once a second while
typing). The action that the draft belongs to discards it in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mottagning.context import Actor
from mottagning.models import Draft
from mottagning.timeutil import utc_now


@dataclass(frozen=True)
class SavedDraft:
    kind: str
    key: str
    content: dict[str, Any]
    saved_at: datetime


def _find(session: Session, actor: Actor, kind: str, key: str) -> Draft | None:
    return session.execute(
        select(Draft).where(Draft.user_id == actor.user_id, Draft.kind == kind, Draft.key == key)
    ).scalar_one_or_none()


def save_draft(
    session: Session, actor: Actor, *, kind: str, key: str, content: dict[str, Any],
    now: datetime | None = None,
) -> SavedDraft:
    """Save (or replace) the actor's draft of `kind`/`key`."""
    now = now or utc_now()
    row = _find(session, actor, kind, key)
    if row is None:
        row = Draft(user_id=actor.user_id, kind=kind, key=key, content=content, saved_at=now)
        session.add(row)
    else:
        row.content = content
        row.saved_at = now
    session.flush()
    return SavedDraft(kind, key, content, now)


def load_draft(session: Session, actor: Actor, *, kind: str, key: str) -> SavedDraft | None:
    """The actor's draft of `kind`/`key` with the time it was saved, or None."""
    row = _find(session, actor, kind, key)
    if row is None:
        return None
    return SavedDraft(row.kind, row.key, dict(row.content), row.saved_at)


def discard_draft(session: Session, actor: Actor, *, kind: str, key: str) -> bool:
    """Remove the actor's draft; True when there was one."""
    result = session.execute(
        delete(Draft).where(Draft.user_id == actor.user_id, Draft.kind == kind, Draft.key == key)
    )
    return bool(result.rowcount)


def list_drafts(session: Session, actor: Actor, kind: str | None = None) -> list[SavedDraft]:
    """The actor's drafts of one kind (of every kind when `kind` is None), newest first.

    At start-up the GUI offers every unsaved draft back with this."""
    query = select(Draft).where(Draft.user_id == actor.user_id)
    if kind is not None:
        query = query.where(Draft.kind == kind)
    rows = session.execute(query.order_by(Draft.saved_at.desc(), Draft.id.desc())).scalars()
    return [SavedDraft(r.kind, r.key, dict(r.content), r.saved_at) for r in rows]
