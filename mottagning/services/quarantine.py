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

from mottagning import audit
from mottagning.errors import ValidationError
from mottagning.models import Alarm
from mottagning.rules.permissions import Action
from mottagning.services import alarms
from mottagning.services.context import Actor, Changes
from mottagning.services.reports import NewReport, RegisterResult, register_report
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
    hold a report's personal data). Only roles that may read cases may read it: an
    assistant registers reports but does not read case content."""
    actor.require(Action.READ_CASE)
    alarm = _quarantine_alarm(session, actor, alarm_id)
    raw = alarm.raw_content or b""
    shown = raw[:MAX_SHOWN_BYTES]
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="quarantine_read",
        entity_type="alarm", entity_id=alarm.id, now=now or utc_now(),
    )
    return QuarantinedFile(
        alarm.id, alarm.kind, alarm.quarantine_file, alarm.detail,
        shown.decode("utf-8", errors="replace"), len(raw) > MAX_SHOWN_BYTES, alarm.partial,
        alarm.opened_at,
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
