"""The audit trail: an append-only hash chain written in the same transaction as the change.

Each event stores the hash of the previous one. Appends lock the single `audit_head` row
(FOR UPDATE on PostgreSQL; SQLite transactions begin IMMEDIATE), so two writers can never
build on the same predecessor and fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
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


def hash_of(event: AuditEvent) -> str:
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
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_event_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
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


def verify_chain(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first event that does not fit."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = (
            session.execute(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
            )
            .scalars()
            .all()
        )
        if not events:
            break
        for event in events:
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.id, "kedjan bruten: föregående hash stämmer inte")
            if hash_of(event) != event.hash:
                return VerifyResult(False, checked, event.id, "händelsen har ändrats i efterhand")
            prev = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.last_event_id != last_id):
        return VerifyResult(
            False, checked, head.last_event_id or None,
            "kedjans slut stämmer inte med huvudet: händelser saknas eller har lagts till",
        )
    return VerifyResult(True, checked)


def verify(session: Session, *, anchor_file_required: bool = True) -> VerifyResult:
    """The chain (edits, deletions, reordering) and its anchors (truncation, re-computation)."""
    chain = verify_chain(session)
    if not chain.ok:
        return chain
    anchors = audit_anchor.check_anchors(session, file_required=anchor_file_required)
    return VerifyResult(anchors.ok, chain.events_checked, anchors.first_broken_id,
                        anchors.problem, anchors.anchors_checked)
