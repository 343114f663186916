"""Small builders for tests: a realistic report in one call."""

from __future__ import annotations

from datetime import datetime, timedelta

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import (
    ChildInput,
    GuardianInput,
    NewReport,
    RegisterResult,
    register_report,
)


def simple_report(
    *, received_at: datetime, children: tuple[ChildInput, ...] | None = None,
    concerns: tuple[str, ...] = ("forsummelse",), immediate_danger: bool = False,
    anonymous: bool = False, category: str = "skola",
) -> NewReport:
    return NewReport(
        channel="telefon",
        received_at=received_at,
        reporter_category="anonym" if anonymous else category,
        reporter_anonymous=anonymous,
        reporter_name=None if anonymous else "Karin Ek",
        reporter_organisation=None if anonymous else "Kvarnbackens skola",
        reporter_phone=None if anonymous else "0243-123 45",
        reporter_wants_feedback=not anonymous,
        concern_codes=concerns,
        description="Ella kommer ofta utan frukost och säger att mamma sover.",
        immediate_danger=immediate_danger,
        children=children or (ChildInput(name="Ella Andersson", personnummer="20150312-2382"),),
        guardians=(GuardianInput(name="Maria Andersson", relation="mamma",
                                 street="Storgatan 14 B", postal_code="784 33", city="Borlänge"),),
    )


def register_simple(
    database: Database, actor: Actor, *, now: datetime, offset: timedelta = timedelta(hours=1),
    **kwargs,
) -> RegisterResult:
    with database.transaction() as session:
        return register_report(session, actor, simple_report(received_at=now - offset, **kwargs), now=now)
