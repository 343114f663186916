"""The audit trail: an append-only hash chain written in the same transaction as the change.

Each event stores the hash of the previous one. Appends lock the single `audit_head` row
(FOR UPDATE on PostgreSQL; SQLite transactions begin IMMEDIATE), so two writers can never
build on the same predecessor and fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from mottagning.audit import anchor as audit_anchor
from mottagning.audit import changes as _changes  # noqa: F401 - its commit hook announces changes
from mottagning.models import AuditEvent, AuditHead
from mottagning.timeutil import as_utc, utc_now

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def text_digest(text: str | None) -> dict[str, Any] | None:
    """What the log keeps of free text (a note, a comment, a reason): its SHA-256 and length.

    Free text may name people. Audit events outlive weeding, so the text itself stays in
    its own record (weeded with the case) and the log holds a digest that proves what the
    text was without repeating it.
    """
    if text is None:
        return None
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text)}


def event_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    user_id: int | None,
    actor: str,
    action: str,
    entity_type: str | None,
    entity_id: int | None,
    child_id: int | None,
    details: dict[str, Any],
) -> str:
    payload = _canonical(
        [
            prev_hash,
            as_utc(occurred_at).isoformat(timespec="microseconds"),
            user_id,
            actor,
            action,
            entity_type,
            entity_id,
            child_id,
            details,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class EventContent(Protocol):
    """What an event's hash covers: an AuditEvent, or a Core row of its columns."""

    prev_hash: str
    occurred_at: datetime
    user_id: int | None
    actor: str
    action: str
    entity_type: str | None
    entity_id: int | None
    child_id: int | None
    details: dict[str, Any]


def hash_of(event: EventContent) -> str:
    """The hash an event must carry, given its content and its predecessor's hash."""
    return event_hash(
        prev_hash=event.prev_hash, occurred_at=event.occurred_at, user_id=event.user_id,
        actor=event.actor, action=event.action, entity_type=event.entity_type,
        entity_id=event.entity_id, child_id=event.child_id, details=event.details,
    )


def record(
    session: Session,
    *,
    actor: str,
    user_id: int | None,
    action: str,
    entity_type: str | None = None,
    entity_id: int | None = None,
    child_id: int | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain within the caller's transaction."""
    details = json.loads(_canonical(details or {}))
    # The head is locked once per transaction and held (the lock lasts until commit), so a
    # service that audits many steps in one transaction reads it once, not per event.
    head = session.info.get(audit_anchor.HEAD_LOCKED)
    if head is None:
        head = session.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            head = AuditHead(id=1, last_event_id=0, last_hash=GENESIS)
            session.add(head)
            session.flush()
        session.info[audit_anchor.HEAD_LOCKED] = head
    # The commit hook in audit_anchor signs the head once per transaction that appended.
    session.info.setdefault(audit_anchor.CHAIN_START, head.last_event_id)
    session.info[audit_anchor.APPENDED] = True
    # Microsecond precision survives both backends, so the hash recomputes exactly.
    event = AuditEvent(
        occurred_at=as_utc(now or utc_now()),
        user_id=user_id,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        child_id=child_id,
        details=details,
        prev_hash=head.last_hash,
    )
    event.hash = hash_of(event)
    session.add(event)
    session.flush()
    head.last_event_id = event.id
    head.last_hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    first_broken_id: int | None = None
    problem: str | None = None
    anchors_checked: int = 0
    # the event a verification started from: 1 for a full one, the verified point's event
    # for an incremental one (see mottagning.audit.verification)
    from_event_id: int = 1
    last_event_id: int = 0
    last_hash: str = GENESIS


@dataclass(frozen=True)
class ChainPoint:
    """An event known to be verified: the chain is re-hashed from here on."""

    event_id: int
    hash: str


# Every column of an event, selected as Core rows: verifying millions of events creates no
# ORM object per event, so memory stays flat.
EVENT_COLUMNS = (
    AuditEvent.id, AuditEvent.occurred_at, AuditEvent.user_id, AuditEvent.actor,
    AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.child_id,
    AuditEvent.details, AuditEvent.prev_hash, AuditEvent.hash,
)

PageObserver = Callable[[Sequence[Row[Any]]], None]


def event_pages(session: Session, *, after_id: int = 0, batch: int = 5000) -> Iterator[Sequence[Row[Any]]]:
    """The events after `after_id` in id order, one page of Core rows at a time (keyset
    pagination on the primary key: each page is an index range scan)."""
    last_id = after_id
    while True:
        rows = session.execute(
            select(*EVENT_COLUMNS).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def verify_chain(
    session: Session, *, batch: int = 5000, start: ChainPoint | None = None,
    observers: Sequence[PageObserver] = (),
) -> VerifyResult:
    """Recompute every hash in order; name the first event that does not fit.

    From `start` (a verified point) only that event and the ones after it are read: the
    point's event must still carry the hash it had and still match its own content, so a
    chain re-hashed across the point is found; what lies before it is not read again.
    `observers` see every page of newly checked events (e.g. the signed-decision check)."""
    prev = GENESIS if start is None else start.hash
    checked = 0
    last_id = 0 if start is None else start.event_id
    after_id = 0 if start is None else start.event_id - 1
    first_page = True
    for rows in event_pages(session, after_id=after_id, batch=batch):
        new_rows = rows
        if start is not None and first_page:
            point = rows[0]
            if point.id != start.event_id or point.hash != start.hash:
                return _broken(checked, start, start.event_id,
                               "händelsen vid den senast kontrollerade punkten har ändrats eller "
                               "tagits bort: kedjan har räknats om bakåt")
            if hash_of(point) != point.hash:
                return _broken(checked, start, point.id, "händelsen har ändrats i efterhand")
            new_rows = rows[1:]
        first_page = False
        for event in new_rows:
            if event.prev_hash != prev:
                return _broken(checked, start, event.id, "kedjan bruten: föregående hash stämmer inte")
            if hash_of(event) != event.hash:
                return _broken(checked, start, event.id, "händelsen har ändrats i efterhand")
            prev = event.hash
            checked += 1
            last_id = event.id
        for observe in observers:
            observe(new_rows)
    if start is not None and first_page:  # not even the point's event is there any more
        return _broken(0, start, start.event_id,
                       "händelsen vid den senast kontrollerade punkten har tagits bort")
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.last_event_id != last_id):
        return _broken(
            checked, start, head.last_event_id or None,
            "kedjans slut stämmer inte med huvudet: händelser saknas eller har lagts till",
        )
    return VerifyResult(True, checked, from_event_id=1 if start is None else start.event_id,
                        last_event_id=last_id, last_hash=prev)


def _broken(checked: int, start: ChainPoint | None, event_id: int | None, problem: str) -> VerifyResult:
    return VerifyResult(False, checked, event_id, problem,
                        from_event_id=1 if start is None else start.event_id)


def verify(
    session: Session, *, anchor_file_required: bool = True, start: ChainPoint | None = None,
    observers: Sequence[PageObserver] = (),
) -> VerifyResult:
    """The chain (edits, deletions, reordering) and its anchors (truncation, re-computation).

    From `start` (incremental) only the events from that point on and the anchors at or
    after it are checked; what that can and cannot find is in docs/security.md."""
    chain = verify_chain(session, start=start, observers=observers)
    if not chain.ok:
        return chain
    anchors = audit_anchor.check_anchors(
        session, file_required=anchor_file_required,
        since_event_id=0 if start is None else start.event_id)
    return VerifyResult(anchors.ok, chain.events_checked, anchors.first_broken_id,
                        anchors.problem, anchors.anchors_checked,
                        from_event_id=chain.from_event_id, last_event_id=chain.last_event_id,
                        last_hash=chain.last_hash)
