"""The quarantine: a person decides what an unreadable or conflicting file was.

Either it is registered by hand (prefilled from whatever could be read) or marked as
"not a report" with a reason; either closes its alarm. The file itself stays in
`karantan/`: a quarantined file is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ValidationError
from mottagning.intake import alarms
from mottagning.intake.reports import NewReport, RegisterResult, register_report
from mottagning.models import Alarm, User
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now

QUARANTINE_KINDS = (alarms.UNREADABLE_FILE, alarms.CONFLICTING_DUPLICATE)
MAX_SHOWN_BYTES = 200_000


@dataclass(frozen=True)
class QuarantinedFile:
    alarm_id: int
    kind: str
    file: str | None
    detail: str
    raw_text: str
    truncated: bool
    partial: dict[str, Any] | None
    opened_at: datetime
    handled_at: datetime | None = None
    """Set when a person (or the importer) has already dealt with the file: then it is
    shown read-only, with who, when and why."""
    handled_by: str | None = None
    handled_reason: str | None = None


def _quarantine_alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    alarm = alarms.get_alarm(session, actor, alarm_id)
    if alarm.kind not in QUARANTINE_KINDS:
        raise ValidationError(["Larmet gäller ingen fil i karantän."])
    if alarm.closed_at is not None:
        raise ValidationError(["Filen är redan hanterad."])
    return alarm


def read_quarantined(
    session: Session, actor: Actor, alarm_id: int, *, now: datetime | None = None
) -> QuarantinedFile:
    """The raw file and its error, for the quarantine screen (an audited read: the file may
    hold a report's personal data). A file already handled is read too, with who handled
    it, when and why, so that opening it from a list that was not yet refreshed explains
    itself instead of failing."""
    actor.require(Action.REGISTER_REPORT)
    alarm = alarms.get_alarm(session, actor, alarm_id)
    if alarm.kind not in QUARANTINE_KINDS:
        raise ValidationError(["Larmet gäller ingen fil i karantän."])
    handled_by = None
    if alarm.closed_at is not None:
        closer = session.get(User, alarm.closed_by_id) if alarm.closed_by_id is not None else None
        handled_by = closer.full_name if closer is not None else "Mottagning (automatiskt)"
    raw = alarm.raw_content or b""
    shown = raw[:MAX_SHOWN_BYTES]
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="quarantine_read",
        entity_type="alarm", entity_id=alarm.id, now=now or utc_now(),
    )
    return QuarantinedFile(
        alarm.id, alarm.kind, alarm.quarantine_file, alarm.detail,
        shown.decode("utf-8", errors="replace"), len(raw) > MAX_SHOWN_BYTES, alarm.partial,
        alarm.opened_at, handled_at=alarm.closed_at, handled_by=handled_by,
        handled_reason=alarm.close_reason,
    )


def register_quarantined(
    session: Session, actor: Actor, alarm_id: int, report: NewReport, *,
    now: datetime | None = None,
) -> RegisterResult:
    """Register a quarantined file's report by hand; closes the alarm in the same transaction."""
    now = now or utc_now()
    alarm = _quarantine_alarm(session, actor, alarm_id)
    result = register_report(session, actor, report, now=now)
    alarms.close_alarm(
        session, actor, alarm, now=now, by_person=True,
        reason=f"Registrerad för hand som anmälan {result.report_id}.",
    )
    return RegisterResult(result.report_id, result.item_ids, result.warnings,
                          Changes(queue=True, alarms=True, item_ids=result.item_ids))


def dismiss_quarantined(
    session: Session, actor: Actor, alarm_id: int, *, reason: str, now: datetime | None = None
) -> Changes:
    """Mark a quarantined file as "not a report", with a written reason."""
    actor.require(Action.HANDLE_ALARMS)
    if not reason.strip():
        raise ValidationError(["Skriv varför filen inte är en anmälan."])
    alarm = _quarantine_alarm(session, actor, alarm_id)
    alarms.close_alarm(session, actor, alarm, now=now or utc_now(), by_person=True,
                       reason=f"Inte en anmälan: {reason.strip()}")
    return Changes(alarms=True)


def list_quarantined(session: Session, actor: Actor) -> list[alarms.AlarmView]:
    actor.require(Action.HANDLE_ALARMS)
    return [a for a in alarms.list_open_alarms(session) if a.kind in QUARANTINE_KINDS]
