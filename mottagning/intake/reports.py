"""Registering a concern report: one report, one queue item per child, in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ValidationError
from mottagning.intake.protected_identity import (
    already_protected,
    protect_child,
    protect_guardian,
    protect_guardian_rows,
)
from mottagning.models import (
    Attachment,
    Child,
    ChildAddressChange,
    Guardian,
    QueueItem,
    Report,
)
from mottagning.rules import deadlines
from mottagning.rules import personnummer as pnr
from mottagning.rules.codes import codes
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status
from mottagning.timeutil import as_utc, utc_now

REPEAT_WINDOW = timedelta(days=365)
MANUAL_CHANNELS = ("telefon", "brev", "fax", "epost", "besok")


@dataclass(frozen=True)
class ChildInput:
    name: str
    personnummer: str | None = None
    birth_date: date | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    school: str | None = None
    protected_identity: bool = False
    existing_child_id: int | None = None  # a match the worker confirmed


@dataclass(frozen=True)
class GuardianInput:
    name: str
    personnummer: str | None = None
    relation: str | None = None
    phone: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    protected_identity: bool = False


@dataclass(frozen=True)
class AttachmentInput:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class NewReport:
    """Everything a report carries when it is registered, whatever the channel."""

    channel: str
    received_at: datetime
    reporter_category: str
    concern_codes: tuple[str, ...]
    description: str
    children: tuple[ChildInput, ...]
    reporter_anonymous: bool = False
    reporter_name: str | None = None
    reporter_organisation: str | None = None
    reporter_role: str | None = None
    reporter_phone: str | None = None
    reporter_email: str | None = None
    reporter_wants_feedback: bool = False
    immediate_danger: bool = False
    guardians_informed: bool | None = None
    child_informed: bool | None = None
    guardians: tuple[GuardianInput, ...] = ()
    attachments: tuple[AttachmentInput, ...] = ()
    source: str | None = None
    submission_id: str | None = None
    sequence: int | None = None
    original: bytes | None = None
    original_sha256: str | None = None
    warnings: tuple[str, ...] = ()
    late_delivery_note: str | None = None


@dataclass(frozen=True)
class RegisterResult:
    report_id: int
    item_ids: tuple[int, ...]
    warnings: tuple[str, ...]
    changes: Changes = field(default_factory=lambda: Changes(queue=True))


@dataclass(frozen=True)
class ChildMatch:
    child_id: int
    name: str
    personnummer: str | None
    birth_date: date | None
    reports: int


def validate_manual(report: NewReport, *, now: datetime | None = None) -> list[str]:
    """Problems that stop a manual registration; the worker can fix each at once."""
    lists = codes()
    problems = []
    if report.channel not in lists.channels:
        problems.append(f"Okänd kanal: {report.channel}.")
    if report.reporter_category not in lists.reporter_categories:
        problems.append("Välj anmälarens kategori.")
    if not report.description.strip():
        problems.append("Skriv in anmälarens beskrivning av oron.")
    if not report.concern_codes:
        problems.append("Välj minst en orsak till oro.")
    unknown = [c for c in report.concern_codes if c not in lists.concern_categories]
    if unknown:
        problems.append(f"Okända orsakskoder: {', '.join(unknown)}.")
    if not report.children:
        problems.append("Ange minst ett barn.")
    for number, child in enumerate(report.children, start=1):
        if not child.name.strip():
            problems.append(f"Barn {number}: namn saknas (skriv ”okänt” om det inte är känt).")
    if report.received_at > (now or utc_now()) + timedelta(minutes=5):
        problems.append("Mottagningstiden ligger i framtiden.")
    return problems


def _child_warnings(child: ChildInput) -> tuple[str | None, list[str], date | None, bool]:
    if not child.personnummer or not child.personnummer.strip():
        return None, [], child.birth_date, False
    parsed = pnr.parse(child.personnummer)
    if parsed is None:
        return None, [f"{child.name}: ”{child.personnummer}” går inte att läsa som personnummer"], child.birth_date, False
    warnings = [f"{child.name}: {w}" for w in parsed.warnings]
    return parsed.normalised, warnings, child.birth_date or parsed.birth_date, parsed.coordination


_NO_NAME = {"", "namn saknas", "okänt", "okänd"}
_ADDRESS = ("street", "postal_code", "city")


def _folded_name(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


def _known_child_differences(existing: Child, child: ChildInput, *, by_personnummer: bool) -> list[str]:
    """What a report says differently about a child already known: never merged silently.

    A different name on a report found by personnummer may be another child (a typo in the
    number, or a forged report): a data-quality warning showing both names, the child
    record and the report's own text are both kept. A different address is a proposal for
    a worker to confirm: the child's address is not overwritten, so the earlier one stays.
    Empty fields of the record are filled in from the report.
    """
    problems = []
    reported = _folded_name(child.name)
    if by_personnummer and reported not in _NO_NAME and reported != _folded_name(existing.name):
        problems.append(
            f"Namnet i anmälan, ”{child.name.strip()}”, skiljer sig från namnet ”{existing.name}” "
            f"som barnet med personnummer {existing.personnummer} har i registret. "
            "Kontrollera att det är samma barn.")
    if existing.protected_identity:
        return problems
    if child.school and not existing.school:
        existing.school = child.school
    reported_address = [getattr(child, attr) for attr in _ADDRESS]
    if not any(reported_address):
        return problems
    known_address = [getattr(existing, attr) for attr in _ADDRESS]
    if not any(known_address):
        for attr, value in zip(_ADDRESS, reported_address, strict=True):
            setattr(existing, attr, value)
    elif [_folded_name(v) for v in reported_address] != [_folded_name(v) for v in known_address]:
        shown = ", ".join(v for v in reported_address if v)
        problems.append(
            f"Anmälan anger adressen {shown} för {existing.name}; registret har en annan. "
            "Adressen har inte ändrats: bekräfta den nya i ärendet om den stämmer.")
        session = object_session(existing)
        if session is not None:
            session.add(ChildAddressChange(
                child_id=existing.id, street=reported_address[0],
                postal_code=reported_address[1], city=reported_address[2], status="proposed",
                proposed_at=utc_now()))
    return problems


def _find_or_create_child(
    session: Session, child: ChildInput, now: datetime,
) -> tuple[Child, list[str], list[str]]:
    normalised, warnings, birth, coordination = _child_warnings(child)
    existing: Child | None = None
    if child.existing_child_id is not None:
        existing = session.get(Child, child.existing_child_id)
    elif normalised is not None:
        existing = session.execute(
            select(Child).where(Child.personnummer == normalised)
        ).scalar_one_or_none()
    if existing is not None:
        if existing.personnummer is None and normalised is not None:
            existing.personnummer = normalised
        if child.protected_identity:
            protect_child(existing)
        return existing, warnings, _known_child_differences(
            existing, child, by_personnummer=child.existing_child_id is None)
    created = Child(
        personnummer=normalised,
        name=child.name.strip(),
        birth_date=birth,
        coordination_number=coordination,
        protected_identity=child.protected_identity,
        street=None if child.protected_identity else child.street,
        postal_code=None if child.protected_identity else child.postal_code,
        city=None if child.protected_identity else child.city,
        school=child.school,
        created_at=now,
    )
    possible = _possibly_the_same_child(session, created) if birth is not None else []
    session.add(created)
    session.flush()
    return created, warnings, possible


def _possibly_the_same_child(session: Session, created: Child) -> list[str]:
    """On registration: a child already known by the same name and birth date, where at most
    one of the two has a personnummer, may be the same child. Said as a data-quality warning
    (no other child's data in it); the worker links them in the item ("Samma barn…")."""
    # Two columns, not whole children: a birth date is shared by many children in a large
    # register, and this runs for every new child.
    others = session.execute(
        select(Child.name, Child.personnummer).where(Child.birth_date == created.birth_date)
    )
    wanted = _folded_name(created.name)
    if not any(_folded_name(o.name) == wanted and not (o.personnummer and created.personnummer)
               for o in others):
        return []
    return [f"Ett barn med samma namn och födelsedatum finns redan i registret. Kontrollera om "
            f"det är samma barn som {created.name} och länka dem i ärendet (”Samma barn…”)."]


def register_report(
    session: Session, actor: Actor, report: NewReport, *, strict: bool = True,
    check_personnummer: bool = True, now: datetime | None = None,
) -> RegisterResult:
    """Register a report with one queue item per child, and its audit events.

    `strict` (manual registration) refuses unknown codes; the importer passes
    `strict=False` because a concern report is never refused for bad data, and
    `check_personnummer=False` because its parser already warned about each number.
    """
    actor.require(Action.REGISTER_REPORT)
    now = now or utc_now()
    if strict:
        problems = validate_manual(report, now=now)
        if problems:
            raise ValidationError(problems)
    received_at = as_utc(report.received_at)
    # The category "anonym" is an anonymous reporter whatever the flag says (a form or a
    # file may send both): no identity is stored.
    anonymous = report.reporter_anonymous or report.reporter_category == "anonym"
    violence = bool(set(report.concern_codes) & codes().violence_concerns)
    warnings = list(report.warnings)

    row = Report(
        received_at=received_at,
        channel=report.channel,
        reporter_category=report.reporter_category,
        reporter_anonymous=anonymous,
        reporter_name=None if anonymous else report.reporter_name,
        reporter_organisation=None if anonymous else report.reporter_organisation,
        reporter_role=None if anonymous else report.reporter_role,
        reporter_phone=None if anonymous else report.reporter_phone,
        reporter_email=None if anonymous else report.reporter_email,
        reporter_wants_feedback=report.reporter_wants_feedback,
        concern_codes=list(report.concern_codes),
        description=report.description,
        immediate_danger=report.immediate_danger,
        guardians_informed=report.guardians_informed,
        child_informed=report.child_informed,
        source=report.source,
        submission_id=report.submission_id,
        sequence=report.sequence,
        original=report.original,
        original_sha256=report.original_sha256,
        data_quality_warnings=[],
        late_delivery_note=report.late_delivery_note,
        registered_at=now,
        registered_by_id=actor.user_id,
    )
    row.attachments = [
        Attachment(
            filename=a.filename, media_type=a.media_type, content=a.content,
            sha256=hashlib.sha256(a.content).hexdigest(), size=len(a.content),
        )
        for a in report.attachments
    ]
    session.add(row)
    session.flush()

    children: list[Child] = []
    for child_input in report.children:
        child, child_warnings, differences = _find_or_create_child(session, child_input, now)
        if check_personnummer:
            warnings.extend(child_warnings)
        warnings.extend(differences)
        if child not in children:
            children.append(child)
    row.data_quality_warnings = warnings
    for change in [c for c in session.new if isinstance(c, ChildAddressChange)]:
        change.report_id, change.proposed_at = row.id, now

    for guardian in report.guardians:
        for child in children:
            guardian_row = Guardian(
                child_id=child.id, report_id=row.id, name=guardian.name,
                personnummer=(pnr.parse(guardian.personnummer).normalised
                              if guardian.personnummer and pnr.parse(guardian.personnummer)
                              else guardian.personnummer),
                relation=guardian.relation, phone=guardian.phone,
                street=guardian.street, postal_code=guardian.postal_code, city=guardian.city,
                protected_identity=False,
            )
            # Protection belongs to the person: known before, it covers this new row (whose
            # address is then never written); said now, it covers their earlier rows too.
            if guardian.protected_identity or already_protected(session, guardian_row):
                protect_guardian(guardian_row)
            session.add(guardian_row)
            session.flush()
            if guardian.protected_identity:
                protect_guardian_rows(session, guardian_row)

    item_ids = []
    for child in children:
        earlier = session.execute(
            select(QueueItem.id).where(
                QueueItem.child_id == child.id,
                QueueItem.received_at >= received_at - REPEAT_WINDOW,
                QueueItem.received_at <= received_at,
            ).limit(1)
        ).first()
        item = QueueItem(
            report_id=row.id,
            child_id=child.id,
            status=Status.RECEIVED,
            received_at=received_at,
            protection_due=deadlines.protection_due(received_at),
            decision_due=deadlines.decision_due(received_at),
            flag_violence=violence,
            flag_immediate_danger=report.immediate_danger,
            flag_data_quality=bool(warnings),
            flag_repeat=earlier is not None,
            created_at=now,
            updated_at=now,
        )
        session.add(item)
        session.flush()
        item_ids.append(item.id)
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="item_created",
            entity_type="queue_item", entity_id=item.id, child_id=child.id,
            details={"report_id": row.id, "flags": item.flags}, now=now,
        )
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="report_registered",
        entity_type="report", entity_id=row.id,
        details={
            "channel": row.channel,
            "reporter_category": row.reporter_category,
            "anonymous": anonymous,
            "source": row.source,
            "submission_id": row.submission_id,
            "items": item_ids,
            "warnings": len(warnings),
            "attachments": [a.sha256 for a in row.attachments],
        },
        now=now,
    )
    return RegisterResult(row.id, tuple(item_ids), tuple(warnings), Changes(queue=True, item_ids=tuple(item_ids)))


def suggest_child_matches(
    session: Session, actor: Actor, *, name: str, birth_date: date | None
) -> list[ChildMatch]:
    """Children who may be the same child (same name and birth date): a suggestion the
    worker confirms, never an automatic link."""
    actor.require(Action.REGISTER_REPORT)
    if not name.strip() or birth_date is None:
        return []
    rows = session.execute(
        select(Child).where(Child.birth_date == birth_date)
    ).scalars().all()
    wanted = name.strip().casefold()
    matches = []
    for child in rows:
        if child.name.casefold() == wanted or child.name.casefold().split()[:1] == wanted.split()[:1]:
            matches.append(ChildMatch(child.id, child.name, child.personnummer, child.birth_date, len(child.items)))
    return matches
