"""From the database to the letter engine: who may receive a letter about an item, and the
LetterRequest for one of them.

Each guardian is a recipient of their own, at their own address; a child from 15 may be
called on its own; the reporter's identity comes from the report row only, and an
anonymous reporter has none. The work-flow guards (no letter to the family before the
skyddsbedömning counts, no underrättelse before the decision is signed) live here, so
every caller — GUI, CLI, batch — meets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.assessment.service import require_protection_assessed
from mottagning.decisions.views import latest_signed
from mottagning.errors import NotFound
from mottagning.letters.model import (
    Address,
    FeedbackOutcome,
    LetterIncomplete,
    LetterKind,
    LetterRefused,
    LetterRequest,
    Meeting,
    Recipient,
    RecipientRole,
    ReporterInfo,
)
from mottagning.letters.rules import CHILD_OWN_LETTER_AGE
from mottagning.models import Child, Guardian, QueueItem, Report, User
from mottagning.rules.codes import reporter_label
from mottagning.rules.outcomes import Outcome
from mottagning.rules.personnummer import parse as parse_personnummer
from mottagning.rules.status import DECIDED_STATUSES
from mottagning.settings import is_demo
from mottagning.timeutil import to_local

KIND_LABELS = {
    LetterKind.KALLELSE: "Kallelse",
    LetterKind.UNDERRATTELSE: "Underrättelse om beslut",
    LetterKind.ATERKOPPLING: "Återkoppling till anmälaren",
    LetterKind.BEKRAFTELSE: "Mottagningsbekräftelse",
}

_FEEDBACK = {
    Outcome.INLEDA_UTREDNING: FeedbackOutcome.OPENED,
    Outcome.INTE_INLEDA_UTREDNING: FeedbackOutcome.NOT_OPENED,
    Outcome.TILLFORS_PAGAENDE_UTREDNING: FeedbackOutcome.ALREADY_UNDER_WAY,
}

_FAMILY_KINDS = (LetterKind.KALLELSE, LetterKind.UNDERRATTELSE)
DEFAULT_SIGNER_TITLE = "Socialsekreterare"


@dataclass(frozen=True)
class RecipientChoice:
    """One possible recipient of a letter kind, as the user picks it (index from 0)."""

    index: int
    role: RecipientRole
    name: str
    description: str
    protected_identity: bool
    guardian_id: int | None = None


@dataclass(frozen=True)
class DecisionFacts:
    outcome: Outcome
    open_support_offered: bool
    forwarded_to: str | None
    signed: bool


def case_reference(item: QueueItem) -> str:
    """The reference printed on letters: the year of receipt and the item number."""
    return f"BoF {to_local(item.received_at).year}-{item.id:04d}"


def _address(street: str | None, postal_code: str | None, city: str | None) -> Address | None:
    if not (street or postal_code or city):
        return None
    return Address(street or "", postal_code or "", city or "")


def item_guardians(session: Session, item: QueueItem) -> list[Guardian]:
    """The guardians as this report gives them; else the child's latest known ones.

    Each person appears once (by name and personnummer), with the newest address known.
    """
    rows = session.execute(
        select(Guardian).where(Guardian.child_id == item.child_id).order_by(Guardian.id.desc())
    ).scalars().all()
    own = [g for g in rows if g.report_id == item.report_id]
    chosen: dict[tuple[str, str | None], Guardian] = {}
    for guardian in own or rows:
        chosen.setdefault((guardian.name.strip().casefold(), guardian.personnummer), guardian)
    return sorted(chosen.values(), key=lambda g: g.id)


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _child_birth(child: Child) -> date | None:
    if child.birth_date is not None:
        return child.birth_date
    parsed = parse_personnummer(child.personnummer or "")
    return parsed.birth_date if parsed else None


def recipient_choices(session: Session, item: QueueItem, kind: LetterKind, *, today: date) -> list[RecipientChoice]:
    """Who a letter of `kind` about `item` can go to, in a stable order."""
    choices: list[RecipientChoice] = []
    if kind in _FAMILY_KINDS:
        for guardian in item_guardians(session, item):
            relation = f" ({guardian.relation})" if guardian.relation else ""
            protected = " – skyddade personuppgifter" if guardian.protected_identity else ""
            choices.append(RecipientChoice(
                len(choices), RecipientRole.GUARDIAN, guardian.name,
                f"Vårdnadshavare{relation}{protected}", guardian.protected_identity, guardian.id,
            ))
    if kind is LetterKind.KALLELSE:
        child = item.child
        birth = _child_birth(child)
        if birth is not None and _age(birth, today) >= CHILD_OWN_LETTER_AGE:
            protected = " – skyddade personuppgifter" if child.protected_identity else ""
            choices.append(RecipientChoice(
                len(choices), RecipientRole.CHILD, child.name,
                f"Barnet ({_age(birth, today)} år){protected}", child.protected_identity,
            ))
    if kind in (LetterKind.ATERKOPPLING, LetterKind.BEKRAFTELSE):
        report = item.report
        if not report.reporter_anonymous and (report.reporter_name or "").strip():
            organisation = f", {report.reporter_organisation}" if report.reporter_organisation else ""
            choices.append(RecipientChoice(
                len(choices), RecipientRole.REPORTER, report.reporter_name.strip(),
                f"Anmälare ({reporter_label(report.reporter_category)}{organisation})", False,
            ))
    return choices


def decision_facts(session: Session, item: QueueItem) -> DecisionFacts | None:
    """The decision that letters report: the newest signed decision, else the item's
    recorded outcome (items decided before decisions were kept in their own table)."""
    decision = latest_signed(session, item.id)
    if decision is not None:
        return DecisionFacts(Outcome(decision.outcome), bool(decision.open_support_offered),
                             decision.forward_municipality, signed=True)
    if item.outcome:
        try:
            outcome = Outcome(item.outcome)
        except ValueError:
            return None
        return DecisionFacts(outcome, False, None, signed=item.status in DECIDED_STATUSES)
    return None


def check_guards(session: Session, item: QueueItem, kind: LetterKind) -> DecisionFacts | None:
    """Refuse a letter the work flow does not allow yet; returns the decision if any.

    The family is not contacted before the skyddsbedömning counts (the assessment service
    decides that), and a decision is reported only once it is signed."""
    report = item.report
    if kind is LetterKind.ATERKOPPLING:
        reporter = reporter_info(report)
        if not reporter.is_mandatory:
            raise LetterRefused(
                "Återkoppling får bara lämnas till en anmälningsskyldig anmälare som har begärt det. "
                f"Den här anmälaren är: {reporter_label(report.reporter_category)}."
            )
        if not reporter.wants_feedback:
            raise LetterRefused("Anmälaren har inte begärt återkoppling, så ingen återkoppling skickas.")
    if kind in _FAMILY_KINDS:
        require_protection_assessed(session, item.id)
    if kind in (LetterKind.UNDERRATTELSE, LetterKind.ATERKOPPLING):
        if item.status not in DECIDED_STATUSES:
            raise LetterRefused(
                "Beslutet är inte signerat än. Underrättelse och återkoppling kan skickas först när "
                "beslutet har signerats."
            )
        facts = decision_facts(session, item)
        if facts is None:
            raise LetterIncomplete(["beslutet (inget signerat beslut hittades för ärendet)"])
        if kind is LetterKind.ATERKOPPLING and facts.outcome is Outcome.VIDAREBEFORDRAS:
            raise LetterRefused(
                "Anmälan har skickats vidare till en annan kommun; återkopplingen lämnas av den kommunen."
            )
        return facts
    return None


def reporter_info(report: Report) -> ReporterInfo:
    """The reporter as the engine sees them; nothing of an anonymous reporter is passed on."""
    if report.reporter_anonymous or report.reporter_category == "anonym":
        return ReporterInfo(category=report.reporter_category, anonymous=True)
    return ReporterInfo(
        category=report.reporter_category,
        name=report.reporter_name,
        organisation=report.reporter_organisation,
        wants_feedback=report.reporter_wants_feedback,
    )


def _recipient(
    session: Session, item: QueueItem, choice: RecipientChoice, reporter_address: Address | None,
) -> Recipient:
    if choice.role is RecipientRole.GUARDIAN:
        guardian = session.get(Guardian, choice.guardian_id)
        assert guardian is not None
        return Recipient(
            name=guardian.name, role=RecipientRole.GUARDIAN,
            address=None if guardian.protected_identity else _address(guardian.street, guardian.postal_code,
                                                                      guardian.city),
            protected_identity=guardian.protected_identity, personnummer=guardian.personnummer,
        )
    if choice.role is RecipientRole.CHILD:
        child = item.child
        return Recipient(
            name=child.name, role=RecipientRole.CHILD,
            address=None if child.protected_identity else _address(child.street, child.postal_code, child.city),
            protected_identity=child.protected_identity, personnummer=child.personnummer,
        )
    report = item.report
    return Recipient(name=choice.name, role=RecipientRole.REPORTER,
                     organisation=report.reporter_organisation, address=reporter_address)


def build_request(
    session: Session, item: QueueItem, kind: LetterKind, choice: RecipientChoice, *,
    signer: User, today: date, meeting: Meeting | None = None, reporter_address: Address | None = None,
    facts: DecisionFacts | None = None,
) -> LetterRequest:
    """The engine's request for one letter; the engine itself lists what is missing."""
    child = item.child
    return LetterRequest(
        kind=kind,
        recipient=_recipient(session, item, choice, reporter_address),
        child_name=child.name,
        case_reference=case_reference(item),
        issued_on=today,
        signer_name=signer.full_name,
        signer_title=signer.title or DEFAULT_SIGNER_TITLE,
        child_personnummer=child.personnummer,
        child_birth_date=child.birth_date,
        report_received_on=to_local(item.received_at).date(),
        meeting=meeting if kind is LetterKind.KALLELSE else None,
        decision=facts.outcome if facts else None,
        open_support_offered=facts.open_support_offered if facts else False,
        forwarded_to=facts.forwarded_to if facts else None,
        feedback=_FEEDBACK.get(facts.outcome) if facts and kind is LetterKind.ATERKOPPLING else None,
        reporter=reporter_info(item.report),
        demo=is_demo(session),
    )


def letter_signer(session: Session, item: QueueItem, user_id: int | None) -> User:
    """Who signs the case's letters: its handläggare; while none is assigned, the user who
    writes the letter (user_id)."""
    if item.assigned_to is not None:
        return item.assigned_to
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Användaren finns inte.")
    return user


def signer_line(signer: User) -> str:
    """'Anna Ek, socialsekreterare': the signer as the letter's running text names them."""
    title = signer.title or DEFAULT_SIGNER_TITLE
    return f"{signer.full_name}, {title[:1].lower()}{title[1:]}"


def load_item(session: Session, item_id: int) -> QueueItem:
    item = session.get(QueueItem, item_id)
    if item is None:
        raise NotFound(f"Ärende {item_id} finns inte.")
    return item


def local_today(now: datetime) -> date:
    return to_local(now).date()
