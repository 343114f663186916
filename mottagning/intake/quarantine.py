"""The quarantine: a person decides what an unreadable or conflicting file was.

Either it is registered by hand (prefilled from whatever could be read) or marked as
"not a report" with a reason; either closes its alarm. The file itself stays in
`karantan/`: a quarantined file is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ValidationError
from mottagning.intake import alarms
from mottagning.intake.reports import NewReport, RegisterResult, register_report
from mottagning.models import Alarm, ReportCorrection, User
from mottagning.rules.permissions import Action
from mottagning.timeutil import as_utc, format_datetime_sv, utc_now

QUARANTINE_KINDS = (alarms.UNREADABLE_FILE, alarms.CONFLICTING_DUPLICATE)
MAX_SHOWN_BYTES = 200_000
# The registration form shows the receipt time to the minute.
RECEIPT_PRECISION = timedelta(minutes=1)


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
    receipt: datetime
    """When the file arrived: the receipt time a manual registration starts from."""
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
    actor.require(Action.READ_CASE)
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
        alarm.opened_at, recorded_receipt(alarm), handled_at=alarm.closed_at,
        handled_by=handled_by, handled_reason=alarm.close_reason,
    )


def recorded_receipt(alarm: Alarm) -> datetime:
    """The receipt time of a report in a quarantined file: when the file arrived in the
    inbox (alarms from before that was recorded: when it was quarantined). A readable,
    earlier `submitted_at` wins, as on a normal import: deadlines count from the moment the
    municipality received the report."""
    arrived = alarm.file_arrived_at or alarm.opened_at
    partial = alarm.partial if isinstance(alarm.partial, dict) else {}
    submitted = partial.get("submitted_at")
    if isinstance(submitted, str):
        try:
            moment = datetime.fromisoformat(submitted)
        except ValueError:
            return arrived
        if moment.tzinfo is not None and as_utc(moment) < arrived:
            return as_utc(moment)
    return arrived


def register_quarantined(
    session: Session, actor: Actor, alarm_id: int, report: NewReport, *,
    receipt_reason: str | None = None, now: datetime | None = None,
) -> RegisterResult:
    """Register a quarantined file's report by hand; closes the alarm in the same transaction.

    The receipt time is the file's recorded one (`recorded_receipt`), not the moment of
    registering: the form shows it to the minute. Another time needs a written reason,
    kept as a correction of the report.
    """
    now = now or utc_now()
    alarm = _quarantine_alarm(session, actor, alarm_id)
    recorded = recorded_receipt(alarm)
    received = as_utc(report.received_at)
    changed = abs(received - recorded) >= RECEIPT_PRECISION
    reason = (receipt_reason or "").strip()
    if changed and not reason:
        raise ValidationError([
            f"Filen kom in {format_datetime_sv(recorded)}; tidsfristerna räknas därifrån. "
            "Skriv varför en annan mottagningstid ska gälla."
        ])
    if not changed:
        report = replace(report, received_at=recorded)
    result = register_report(session, actor, report, now=now)
    if changed:
        correction = ReportCorrection(
            report_id=result.report_id, field="received_at",
            old_value={"received_at": recorded.isoformat()},
            new_value={"received_at": received.isoformat()}, reason=reason,
            corrected_by_id=actor.user_id, corrected_at=now,
        )
        session.add(correction)
        session.flush()
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="receipt_time_corrected",
            entity_type="report", entity_id=result.report_id,
            details={"recorded": recorded.isoformat(), "received_at": received.isoformat(),
                     "correction_id": correction.id, "reason": audit.text_digest(reason)},
            now=now,
        )
    alarms.close_alarm(
        session, actor, alarm, now=now, by_person=True,
        reason=f"Registrerad för hand som anmälan {result.report_id}.",
    )
    return RegisterResult(result.report_id, result.item_ids, result.warnings,
                          Changes(queue=True, alarms=True, item_ids=result.item_ids))


def dismiss_quarantined(
    session: Session, actor: Actor, alarm_id: int, *, reason: str, now: datetime | None = None
) -> Changes:
    """Mark a quarantined file as "not a report", with a written reason.

    The file may be a concern report: only someone allowed to read case content may judge
    that it is not one (handling alarms alone is not enough).
    """
    actor.require(Action.HANDLE_ALARMS)
    actor.require(Action.READ_CASE)
    if not reason.strip():
        raise ValidationError(["Skriv varför filen inte är en anmälan."])
    alarm = _quarantine_alarm(session, actor, alarm_id)
    alarms.close_alarm(session, actor, alarm, now=now or utc_now(), by_person=True,
                       reason=f"Inte en anmälan: {reason.strip()}")
    return Changes(alarms=True)


def list_quarantined(session: Session, actor: Actor) -> list[alarms.AlarmView]:
    actor.require(Action.HANDLE_ALARMS)
    return [a for a in alarms.list_open_alarms(session) if a.kind in QUARANTINE_KINDS]
