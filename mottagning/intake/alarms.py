"""Alarms: what a person must look at before anything can be lost unnoticed.

Kinds (intake-format.md): missing_submission, unreadable_file, conflicting_duplicate,
silent_source, and importer_failure: the importer itself failed (a file it could not even
quarantine, a step of the run that raised), so monitoring never says all is well while
intake is broken. Opening is idempotent per (kind, key); closing needs a written reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import NotFound, PermissionDenied, ValidationError
from mottagning.models import Alarm, ImportSource
from mottagning.rules.permissions import Action, allowed
from mottagning.settings import setting
from mottagning.timeutil import as_utc, format_datetime_sv, utc_now

MISSING_SUBMISSION = "missing_submission"
UNREADABLE_FILE = "unreadable_file"
CONFLICTING_DUPLICATE = "conflicting_duplicate"
SILENT_SOURCE = "silent_source"
IMPORTER_FAILURE = "importer_failure"

KIND_LABELS_SV = {
    MISSING_SUBMISSION: "Saknad inlämning",
    UNREADABLE_FILE: "Oläsbar fil",
    CONFLICTING_DUPLICATE: "Motstridig dubblett",
    SILENT_SOURCE: "Tyst e-tjänst",
    IMPORTER_FAILURE: "Fel i importen",
    "form_problem": "Fel i bedömningsformulär",
    "inflow_drop": "Minskat inflöde",
}

# Kinds that only a senior may close by hand (the inflow watch of mottagning.stats.inflow).
SENIOR_CLOSES = frozenset({"inflow_drop"})


@dataclass(frozen=True)
class AlarmView:
    id: int
    kind: str
    source: str | None
    opened_at: datetime
    detail: str
    quarantine_file: str | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS_SV.get(self.kind, self.kind)


def _view(alarm: Alarm) -> AlarmView:
    return AlarmView(alarm.id, alarm.kind, alarm.source, alarm.opened_at, alarm.detail,
                     alarm.quarantine_file)


def open_alarm(
    session: Session, actor: Actor, *, kind: str, key: str, source: str | None, detail: str,
    now: datetime, quarantine_file: str | None = None, raw_content: bytes | None = None,
    partial: dict[str, Any] | None = None, file_arrived_at: datetime | None = None,
) -> tuple[Alarm, bool]:
    """Open an alarm unless one with the same kind and key is already open."""
    existing = session.execute(
        select(Alarm).where(Alarm.kind == kind, Alarm.key == key, Alarm.closed_at.is_(None))
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    alarm = Alarm(
        kind=kind, key=key, source=source, detail=detail, opened_at=now,
        quarantine_file=quarantine_file, raw_content=raw_content, partial=partial,
        file_arrived_at=file_arrived_at,
    )
    session.add(alarm)
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="alarm_opened",
        entity_type="alarm", entity_id=alarm.id,
        details={"kind": kind, "source": source, "key": key}, now=now,
    )
    return alarm, True


def was_acknowledged(session: Session, *, kind: str, key: str) -> bool:
    """A person already closed this alarm once: it is not raised again."""
    return session.execute(
        select(Alarm.id).where(Alarm.kind == kind, Alarm.key == key,
                               Alarm.closed_at.is_not(None), Alarm.closed_by_id.is_not(None))
    ).first() is not None


def close_alarm(
    session: Session, actor: Actor, alarm: Alarm, *, reason: str, now: datetime,
    by_person: bool,
) -> None:
    alarm.closed_at = now
    alarm.close_reason = reason
    alarm.closed_by_id = actor.user_id if by_person else None
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="alarm_closed",
        entity_type="alarm", entity_id=alarm.id,
        details={"kind": alarm.kind, "source": alarm.source, "reason": audit.text_digest(reason),
                 "by_person": by_person},
        now=now,
    )


def acknowledge_alarm(
    session: Session, actor: Actor, alarm_id: int, *, reason: str, now: datetime | None = None
) -> Changes:
    """A person closes an alarm with a written reason (audited)."""
    actor.require(Action.HANDLE_ALARMS)
    if not reason.strip():
        raise ValidationError(["Skriv en motivering till varför larmet kan kvitteras."])
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound("Larmet finns inte.")
    if alarm.closed_at is not None:
        raise ValidationError(["Larmet är redan kvitterat."])
    if alarm.kind in SENIOR_CLOSES and not allowed(actor.roles, Action.SIGN_DECISION):
        raise PermissionDenied(
            f"Ett larm om {KIND_LABELS_SV[alarm.kind].lower()} kvitteras av en förste "
            "socialsekreterare eller enhetschef."
        )
    close_alarm(session, actor, alarm, reason=reason.strip(), now=now or utc_now(), by_person=True)
    return Changes(alarms=True)


def list_open_alarms(session: Session) -> list[AlarmView]:
    rows = session.execute(
        select(Alarm).where(Alarm.closed_at.is_(None)).order_by(Alarm.opened_at, Alarm.id)
    ).scalars()
    return [_view(a) for a in rows]


def open_alarm_count(session: Session, actor: Actor) -> int:
    """How many alarms are open: all that monitoring may see."""
    actor.require(Action.READ_ALARM_COUNTS)
    return count_open_alarms(session)


def count_open_alarms(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(Alarm).where(Alarm.closed_at.is_(None))
    ).scalar_one()


def get_alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    actor.require(Action.HANDLE_ALARMS)
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound("Larmet finns inte.")
    return alarm


def register_source(
    session: Session, actor: Actor | None, name: str, *, now: datetime, automatic: bool,
    silence_limit_hours: int | None = None,
) -> ImportSource:
    """Register an e-service source (automatically when it first delivers)."""
    source = session.execute(select(ImportSource).where(ImportSource.name == name)).scalar_one_or_none()
    if source is not None:
        return source
    if actor is not None and not automatic:
        actor.require(Action.MANAGE_SETTINGS)
    if silence_limit_hours is None:
        silence_limit_hours = int(setting(session, "intake.silence_hours"))
    source = ImportSource(name=name, registered_at=now, auto_registered=automatic,
                          silence_limit_hours=silence_limit_hours)
    session.add(source)
    session.flush()
    if actor is not None:
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="source_registered",
            entity_type="import_source", entity_id=source.id,
            details={"name": name, "automatic": automatic,
                     "silence_limit_hours": silence_limit_hours},
            now=now,
        )
    return source


def refresh_silence(session: Session, actor: Actor, *, now: datetime) -> None:
    """Raise a silent-source alarm for each source quiet longer than its limit; close it
    again when the source has delivered since."""
    for source in session.execute(select(ImportSource)).scalars():
        last = as_utc(source.last_import_at or source.registered_at)
        limit = timedelta(hours=source.silence_limit_hours)
        key = source.name
        if now - last > limit:
            since = "registrerades" if source.last_import_at is None else "senast levererade"
            open_alarm(
                session, actor, kind=SILENT_SOURCE, key=key, source=source.name, now=now,
                detail=(f"E-tjänsten {source.name} har inte levererat något sedan den {since} "
                        f"{format_datetime_sv(last)} (gräns {source.silence_limit_hours} timmar). "
                        "Kontrollera att e-tjänsten fungerar."),
            )
        else:
            open_silent = session.execute(
                select(Alarm).where(Alarm.kind == SILENT_SOURCE, Alarm.key == key,
                                    Alarm.closed_at.is_(None))
            ).scalar_one_or_none()
            if open_silent is not None:
                close_alarm(session, actor, open_silent, now=now, by_person=False,
                            reason="E-tjänsten har levererat igen.")
