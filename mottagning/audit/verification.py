"""`mottagning audit verify` as a whole: the hash chain, its anchors and the signed
decisions, either in full or from the last verified point (incremental).

After every successful verification the point where it ended (the chain head's event id
and hash, the highest decision id, when it ran and when the last full one ran) is stored
in the setting `audit.verified_through`, signed with the database's audit key (the key
of the anchors, which never lives in the database), and the verification is audited. The
next verification re-hashes only that point's event and the events after it, reads only
the anchors from there on and checks only the decisions those events signed, so its time
grows with the new events, not with the log. A full verification is done with `--full`,
when there is no valid point yet, and when the last full one is older than the setting
`audit_full_verify_days`. What the incremental check can and cannot find is in
docs/security.md ("Incremental verification").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.audit.anchor import audit_key, database_id
from mottagning.decisions.integrity import DecisionCheck, SignedDecisionCheck
from mottagning.models.decisions import Decision
from mottagning.settings import put_setting, setting, stored_setting
from mottagning.timeutil import as_utc, utc_now

POINT_SETTING = "audit.verified_through"
FULL_EVERY_SETTING = "audit_full_verify_days"


@dataclass(frozen=True)
class VerifiedPoint:
    """Where the last successful verification ended."""

    event_id: int
    hash: str
    decision_id: int
    verified_at: datetime
    full_at: datetime


@dataclass(frozen=True)
class AuditVerification:
    chain: audit.VerifyResult
    decisions: DecisionCheck | None
    full: bool
    # where an incremental verification started (None for a full one)
    previous: VerifiedPoint | None = None

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.decisions is not None and self.decisions.ok


def _point_mac(key: bytes, db_id: str, point: VerifiedPoint) -> str:
    message = json.dumps(
        [db_id, "verified-through", point.event_id, point.hash, point.decision_id,
         as_utc(point.verified_at).isoformat(timespec="microseconds"),
         as_utc(point.full_at).isoformat(timespec="microseconds")],
        separators=(",", ":"))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def read_point(session: Session) -> tuple[VerifiedPoint | None, str | None]:
    """The stored point and None, (None, None) when there is none to use, or (None, problem)
    when it is there but not what this program signed: someone has changed it."""
    stored = stored_setting(session, POINT_SETTING)
    if not stored:
        return None, None
    db_id = database_id(session)
    key = audit_key(db_id, create=False) if db_id else None
    if key is None:
        return None, None  # the anchor check reports the missing key
    try:
        point = VerifiedPoint(
            event_id=int(stored["event_id"]), hash=str(stored["hash"]),
            decision_id=int(stored["decision_id"]),
            verified_at=datetime.fromisoformat(stored["verified_at"]),
            full_at=datetime.fromisoformat(stored["full_at"]))
        mac = str(stored["mac"])
    except (KeyError, TypeError, ValueError):
        return None, "den senast kontrollerade punkten (audit.verified_through) går inte att läsa: den har ändrats"
    if not hmac.compare_digest(_point_mac(key, db_id, point), mac):
        return None, ("den senast kontrollerade punkten (audit.verified_through) har ändrats "
                      "eller skrivits utan rätt nyckel")
    return point, None


def verify_audit(session: Session, *, full: bool = False, now: datetime | None = None) -> AuditVerification:
    """Verify the audit log: from the last verified point, or in full (`full`, no valid
    point yet, or the last full verification older than `audit_full_verify_days`)."""
    now = now or utc_now()
    point: VerifiedPoint | None = None
    if not full:
        point, problem = read_point(session)
        if problem is not None:
            return AuditVerification(audit.VerifyResult(False, 0, None, problem), None, False)
        full_every = int(setting(session, FULL_EVERY_SETTING))
        if point is not None and (full_every == 0 or now - point.full_at > timedelta(days=full_every)):
            point = None
    decisions = SignedDecisionCheck(session, after_decision_id=point.decision_id if point else 0)
    start = audit.ChainPoint(point.event_id, point.hash) if point is not None else None
    chain = audit.verify(session, start=start, observers=[decisions])
    if not chain.ok:
        return AuditVerification(chain, None, point is None, point)
    return AuditVerification(chain, decisions.result(), point is None, point)


def record_verified(
    session: Session, verification: AuditVerification, *, actor: str, user_id: int | None,
    now: datetime | None = None,
) -> VerifiedPoint | None:
    """After a successful verification: store where it ended (signed) and audit it.
    Returns None when there is nothing to anchor a point to (an empty log, no key)."""
    if not verification.ok or verification.chain.last_event_id == 0:
        return None
    db_id = database_id(session)
    key = audit_key(db_id, create=False) if db_id else None
    if key is None:
        return None
    now = now or utc_now()
    # Read after the chain: a decision made meanwhile has its signature after the point.
    highest_decision = session.execute(select(func.max(Decision.id))).scalar_one() or 0
    previous = verification.previous
    point = VerifiedPoint(
        event_id=verification.chain.last_event_id, hash=verification.chain.last_hash,
        decision_id=highest_decision, verified_at=now,
        full_at=now if verification.full or previous is None else previous.full_at)
    put_setting(session, POINT_SETTING, {
        "event_id": point.event_id, "hash": point.hash, "decision_id": point.decision_id,
        "verified_at": as_utc(point.verified_at).isoformat(timespec="microseconds"),
        "full_at": as_utc(point.full_at).isoformat(timespec="microseconds"),
        "mac": _point_mac(key, db_id, point)})
    audit.record(
        session, actor=actor, user_id=user_id, action="audit_verified", entity_type="audit_log",
        details={"full": verification.full, "from_event_id": verification.chain.from_event_id,
                 "through_event_id": point.event_id,
                 "events_checked": verification.chain.events_checked,
                 "decisions_checked": verification.decisions.checked if verification.decisions else 0},
        now=now)
    return point
