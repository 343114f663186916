"""Letters about a queue item: prepare and preview, issue (store as approved), the print
queue (utskriftskö), printed and sent, cancel, reprint.

An issued letter is its PDF: stored with its SHA-256, template version, who approved it
and when, and never rendered again — a reprint gives the stored bytes. Every read of a
letter or of the case data behind it writes an audit event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ConcurrentEdit, MottagningError, NotFound, PermissionDenied
from mottagning.letters.feedback import close_feedback_for_sent_letter
from mottagning.letters.model import (
    Address,
    LetterError,
    LetterIncomplete,
    LetterKind,
    LetterRequest,
    Meeting,
    MunicipalityProfile,
    RenderedLetter,
)
from mottagning.letters.profile import (
    current_template,
    default_rebooking,
    engine_profile,
    get_profile,
)
from mottagning.letters.render import render_letter
from mottagning.letters.requests import (
    RecipientChoice,
    build_request,
    check_guards,
    letter_signer,
    load_item,
    local_today,
    recipient_choices,
    signer_line,
)
from mottagning.letters.templates import LetterTemplate
from mottagning.models import QueueItem
from mottagning.models.letters import IssuedLetter
from mottagning.rules.permissions import ACTION_LABELS_SV, Action, allowed
from mottagning.timeutil import as_utc, utc_now


class LetterStatus(StrEnum):
    APPROVED = "approved"
    PRINTED = "printed"
    SENT = "sent"
    CANCELLED = "cancelled"


STATUS_LABELS_SV = {
    LetterStatus.APPROVED: "Godkänt, ej utskrivet",
    LetterStatus.PRINTED: "Utskrivet",
    LetterStatus.SENT: "Skickat",
    LetterStatus.CANCELLED: "Makulerat",
}


class LetterNotPossible(MottagningError):
    """The letter cannot be made now: a hard rule, a guard, or missing data (`missing`)."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)


@contextmanager
def _as_user_errors() -> Iterator[None]:
    """The engine's errors as the application's, so the CLI and the GUI show them."""
    try:
        yield
    except LetterIncomplete as error:
        raise LetterNotPossible(str(error), error.missing) from None
    except LetterError as error:
        raise LetterNotPossible(str(error)) from None


def _require_any(actor: Actor, *actions: Action) -> None:
    if not any(allowed(actor.roles, action) for action in actions):
        labels = " eller ".join(ACTION_LABELS_SV[action] for action in actions)
        raise PermissionDenied(
            f"Du har inte behörighet att {labels}. Be en systemförvaltare om rätt roll om arbetet kräver det."
        )


@dataclass(frozen=True)
class PreparedLetter:
    """Everything needed to render one letter; `render()` needs no database, so a preview can
    be redrawn on another thread as meeting details are typed."""

    item_id: int
    recipient: RecipientChoice
    request: LetterRequest
    profile: MunicipalityProfile
    template: LetterTemplate
    default_rebooking: str
    default_meeting_with: str = ""
    """Whom a kallelse says the family meets when nobody wrote it: the signer, with title."""

    def render(self, meeting: Meeting | None = None, reporter_address: Address | None = None) -> RenderedLetter:
        """The letter as it would be issued; `meeting` and `reporter_address` replace the
        prepared ones (a preview redrawn as the user types)."""
        request = self.request
        if meeting is not None:
            request = replace(request, meeting=with_rebooking(meeting, self.default_rebooking,
                                                               meeting_with=self.default_meeting_with))
        if reporter_address is not None and request.recipient.role.value == "reporter":
            request = replace(request, recipient=replace(request.recipient, address=reporter_address))
        with _as_user_errors():
            return render_letter(request, self.profile, self.template)


@dataclass(frozen=True)
class LetterInfo:
    """An issued letter as lists show it (without the PDF)."""

    id: int
    item_id: int
    report_id: int
    kind: LetterKind
    recipient_role: str
    recipient_name: str
    protected_recipient: bool
    template_version: int
    sha256: str
    page_count: int
    status: LetterStatus
    issued_by: str
    issued_at: datetime
    printed_by: str | None
    printed_at: datetime | None
    sent_at: datetime | None
    cancelled_at: datetime | None
    meeting: dict | None
    warnings: tuple[str, ...]
    demo: bool
    child_name: str = ""
    """The child the letter is about: lists name the case by the child, not by a number."""


@dataclass(frozen=True)
class IssueResult:
    letter: LetterInfo
    warnings: tuple[str, ...]
    changes: Changes


@dataclass(frozen=True)
class PrintResult:
    """Letters marked printed now, and those someone had already printed (printed again)."""

    printed: tuple[int, ...]
    reprinted: tuple[int, ...]
    skipped: tuple[str, ...] = field(default=())
    changes: Changes = field(default_factory=lambda: Changes(letters=True))


def _info(letter: IssuedLetter) -> LetterInfo:
    session = object_session(letter)
    item = session.get(QueueItem, letter.item_id) if session is not None else None
    return LetterInfo(
        id=letter.id, item_id=letter.item_id, report_id=letter.report_id, kind=LetterKind(letter.kind),
        recipient_role=letter.recipient_role, recipient_name=letter.recipient_name,
        protected_recipient=letter.protected_recipient, template_version=letter.template_version,
        sha256=letter.sha256, page_count=letter.page_count, status=LetterStatus(letter.status),
        issued_by=letter.issued_by.full_name, issued_at=letter.issued_at,
        printed_by=letter.printed_by.full_name if letter.printed_by else None,
        printed_at=letter.printed_at, sent_at=letter.sent_at, cancelled_at=letter.cancelled_at,
        meeting=letter.meeting, warnings=tuple(letter.warnings or ()), demo=letter.demo,
        child_name=item.child.name if item is not None else "",
    )


def _record(session: Session, actor: Actor, action: str, item: QueueItem | None, *,
            letter_id: int | None = None, now: datetime, **details: object) -> None:
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action=action,
        entity_type="letter" if letter_id is not None else "queue_item",
        entity_id=letter_id if letter_id is not None else (item.id if item else None),
        child_id=item.child_id if item else None, details=details, now=now,
    )


def list_recipients(
    session: Session, actor: Actor, item_id: int, kind: LetterKind | str, *, now: datetime | None = None,
) -> list[RecipientChoice]:
    """Who a letter of `kind` about the item can go to (audited: it shows the family's names)."""
    actor.require(Action.WRITE_LETTER)
    now, kind = now or utc_now(), LetterKind(kind)
    item = load_item(session, item_id)
    choices = recipient_choices(session, item, kind, today=local_today(now))
    _record(session, actor, "letter_recipients_read", item, now=now, kind=kind.value)
    return choices


def _prepare(
    session: Session, actor: Actor, item_id: int, kind: LetterKind, *, recipient_index: int,
    meeting: Meeting | None, reporter_address: Address | None, now: datetime,
) -> tuple[QueueItem, PreparedLetter]:
    actor.require(Action.WRITE_LETTER)
    item = load_item(session, item_id)
    with _as_user_errors():
        facts = check_guards(session, item, kind)
    choices = recipient_choices(session, item, kind, today=local_today(now))
    if not choices:
        raise LetterNotPossible(_no_recipient_message(kind))
    if not 0 <= recipient_index < len(choices):
        raise LetterNotPossible(
            f"Mottagare {recipient_index + 1} finns inte; välj en av: "
            + "; ".join(f"{c.index + 1} = {c.name} ({c.description})" for c in choices) + "."
        )
    choice = choices[recipient_index]
    signer = letter_signer(session, item, actor.user_id)
    profile = get_profile(session)
    if profile.missing():
        raise LetterNotPossible(
            "Kommunens uppgifter för brevhuvudet saknas: " + ", ".join(profile.missing())
            + ". En systemförvaltare fyller i dem under Brev → Kommunprofil.", profile.missing(),
        )
    template, _template_info = current_template(session, kind)
    rebooking = default_rebooking(profile)
    request = build_request(session, item, kind, choice, signer=signer, today=local_today(now),
                            meeting=with_rebooking(meeting, rebooking, meeting_with=signer_line(signer)),
                            reporter_address=reporter_address, facts=facts)
    return item, PreparedLetter(item.id, choice, request, engine_profile(profile), template, rebooking,
                                signer_line(signer))


def with_rebooking(meeting: Meeting | None, default: str, *, meeting_with: str = "") -> Meeting | None:
    """The meeting with the unit's way to rebook when the worker wrote none, and the signer
    as the one the family meets when nobody was named."""
    if meeting is None:
        return meeting
    if not meeting.rebooking.strip():
        meeting = replace(meeting, rebooking=default)
    if not meeting.meeting_with.strip() and meeting_with:
        meeting = replace(meeting, meeting_with=meeting_with)
    return meeting


def _no_recipient_message(kind: LetterKind) -> str:
    if kind in (LetterKind.ATERKOPPLING, LetterKind.BEKRAFTELSE):
        return "Anmälaren är anonym eller har inte uppgett namn, så brevet kan inte skickas."
    return "Ärendet har ingen vårdnadshavare registrerad. Lägg till vårdnadshavarna i anmälan först."


def prepare_letter(
    session: Session, actor: Actor, item_id: int, kind: LetterKind | str, *, recipient_index: int,
    meeting: Meeting | None = None, reporter_address: Address | None = None, now: datetime | None = None,
) -> PreparedLetter:
    """Check the guards and gather the data of one letter for a preview (audited read)."""
    now, kind = now or utc_now(), LetterKind(kind)
    item, prepared = _prepare(session, actor, item_id, kind, recipient_index=recipient_index,
                              meeting=meeting, reporter_address=reporter_address, now=now)
    _record(session, actor, "letter_previewed", item, now=now, kind=kind.value,
            recipient_role=prepared.recipient.role.value)
    return prepared


def _meeting_json(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    return {
        "start": as_utc(meeting.start).isoformat(), "place": meeting.place,
        "meeting_with": meeting.meeting_with, "rebooking": meeting.rebooking,
        "interpreter_language": meeting.interpreter_language,
    }


def issue_letter(
    session: Session, actor: Actor, item_id: int, kind: LetterKind | str, *, recipient_index: int,
    meeting: Meeting | None = None, reporter_address: Address | None = None,
    expected_sha256: str | None = None, now: datetime | None = None,
) -> IssueResult:
    """Render and store one letter as approved (it then waits in the print queue).

    `expected_sha256` is the preview the user approved: if the data or template changed
    since, nothing is stored and the user is asked to look again. Raises LetterNotPossible
    for a guard, a hard rule or missing data (listing all of it); nothing half is stored.
    """
    now, kind = now or utc_now(), LetterKind(kind)
    item, prepared = _prepare(session, actor, item_id, kind, recipient_index=recipient_index,
                              meeting=meeting, reporter_address=reporter_address, now=now)
    rendered = prepared.render()
    if expected_sha256 is not None and rendered.sha256 != expected_sha256:
        raise ConcurrentEdit(
            "Brevet har ändrats sedan du förhandsgranskade det (uppgifter i ärendet, mallen eller "
            "datumet). Granska det igen innan du godkänner; ingenting sparades."
        )
    choice = prepared.recipient
    letter = IssuedLetter(
        item_id=item.id, report_id=item.report_id, kind=kind.value, recipient_role=choice.role.value,
        guardian_id=choice.guardian_id, recipient_name=choice.name,
        protected_recipient=choice.protected_identity, template_version=rendered.template_version,
        pdf=rendered.pdf, sha256=rendered.sha256, page_count=rendered.page_count,
        meeting=_meeting_json(prepared.request.meeting), warnings=list(rendered.warnings),
        demo=prepared.request.demo, status=LetterStatus.APPROVED.value, issued_by_id=actor.user_id,
        issued_at=now,
    )
    session.add(letter)
    session.flush()
    _record(session, actor, "letter_issued", item, letter_id=letter.id, now=now, kind=kind.value,
            recipient_role=choice.role.value, template_version=rendered.template_version,
            sha256=rendered.sha256, pages=rendered.page_count)
    return IssueResult(_info(letter), tuple(rendered.warnings),
                       Changes(letters=True, item_ids=(item.id,)))


def _letters(session: Session, *conditions) -> list[IssuedLetter]:  # type: ignore[no-untyped-def]
    return list(session.execute(
        select(IssuedLetter).where(*conditions).order_by(IssuedLetter.issued_at, IssuedLetter.id)
    ).scalars())


def item_letters(session: Session, actor: Actor, item_id: int, *, now: datetime | None = None) -> list[LetterInfo]:
    """The letters issued about an item, oldest first (the item's letter history)."""
    _require_any(actor, Action.READ_CASE, Action.PRINT_LETTER)
    now = now or utc_now()
    item = load_item(session, item_id)
    letters = _letters(session, IssuedLetter.item_id == item.id)
    _record(session, actor, "letters_listed", item, now=now, count=len(letters))
    return [_info(letter) for letter in letters]


def pending_letters(
    session: Session, actor: Actor, *, status: LetterStatus = LetterStatus.APPROVED, now: datetime | None = None,
) -> list[LetterInfo]:
    """The utskriftskö: approved letters not yet printed (or, with `status`, printed ones
    waiting to be posted), oldest first."""
    actor.require(Action.PRINT_LETTER)
    letters = _letters(session, IssuedLetter.status == LetterStatus(status).value)
    _record(session, actor, "print_queue_read", None, now=now or utc_now(), count=len(letters))
    return [_info(letter) for letter in letters]


def _get(session: Session, letter_id: int) -> IssuedLetter:
    letter = session.get(IssuedLetter, letter_id)
    if letter is None:
        raise NotFound(f"Brev {letter_id} finns inte.")
    return letter


def letter_pdf(session: Session, actor: Actor, letter_id: int, *, now: datetime | None = None) -> bytes:
    """The stored PDF exactly as issued (for printing, reprinting or saving); audited."""
    _require_any(actor, Action.PRINT_LETTER, Action.WRITE_LETTER)
    letter = _get(session, letter_id)
    _record(session, actor, "letter_opened", session.get(QueueItem, letter.item_id), letter_id=letter.id,
            now=now or utc_now(), sha256=letter.sha256)
    return letter.pdf


def mark_printed(session: Session, actor: Actor, letter_ids: Sequence[int], *,
                 now: datetime | None = None) -> PrintResult:
    """Record that letters were printed: approved ones become printed; one already printed
    (by someone else meanwhile, or a reprint) keeps its status and the print is logged."""
    actor.require(Action.PRINT_LETTER)
    now = now or utc_now()
    printed, reprinted, skipped = [], [], []
    for letter_id in letter_ids:
        letter = _get(session, letter_id)
        item = session.get(QueueItem, letter.item_id)
        if letter.status == LetterStatus.CANCELLED.value:
            skipped.append(f"Brev {letter.id} är makulerat och ska inte skickas.")
            continue
        if letter.status == LetterStatus.APPROVED.value:
            letter.status, letter.printed_by_id, letter.printed_at = LetterStatus.PRINTED.value, actor.user_id, now
            session.flush()
            printed.append(letter.id)
            _record(session, actor, "letter_printed", item, letter_id=letter.id, now=now)
        else:
            reprinted.append(letter.id)
            _record(session, actor, "letter_reprinted", item, letter_id=letter.id, now=now)
    return PrintResult(tuple(printed), tuple(reprinted), tuple(skipped))


def mark_sent(session: Session, actor: Actor, letter_ids: Sequence[int], *, now: datetime | None = None) -> Changes:
    """Record that printed letters were posted. Refuses all if any is not printed yet.

    A posted återkoppling closes the item's feedback task in the same transaction."""
    actor.require(Action.PRINT_LETTER)
    now = now or utc_now()
    letters = [_get(session, letter_id) for letter_id in letter_ids]
    unprinted = [str(letter.id) for letter in letters if letter.status != LetterStatus.PRINTED.value
                 and letter.status != LetterStatus.SENT.value]
    if unprinted:
        raise LetterNotPossible(
            "Bara utskrivna brev kan markeras som skickade. Inte utskrivna eller makulerade: brev "
            + ", ".join(unprinted) + "."
        )
    for letter in letters:
        if letter.status == LetterStatus.SENT.value:
            continue
        letter.status, letter.sent_by_id, letter.sent_at = LetterStatus.SENT.value, actor.user_id, now
        session.flush()
        item = session.get(QueueItem, letter.item_id)
        _record(session, actor, "letter_sent", item, letter_id=letter.id, now=now)
        if letter.kind == LetterKind.ATERKOPPLING.value:
            close_feedback_for_sent_letter(session, actor, item_id=letter.item_id,
                                           child_id=item.child_id if item else None, letter_id=letter.id, now=now)
    return Changes(letters=True, item_ids=tuple(sorted({letter.item_id for letter in letters})))


def cancel_letter(session: Session, actor: Actor, letter_id: int, reason: str, *,
                  now: datetime | None = None) -> Changes:
    """Cancel (makulera) an approved or printed letter that must not be sent; it stays stored."""
    actor.require(Action.WRITE_LETTER)
    now = now or utc_now()
    letter = _get(session, letter_id)
    if not reason.strip():
        raise LetterNotPossible("Skriv varför brevet makuleras.")
    if letter.status in (LetterStatus.SENT.value, LetterStatus.CANCELLED.value):
        raise LetterNotPossible(
            f"Brev {letter.id} är redan {STATUS_LABELS_SV[LetterStatus(letter.status)].lower()} "
            "och kan inte makuleras."
        )
    letter.status, letter.cancelled_by_id, letter.cancelled_at = LetterStatus.CANCELLED.value, actor.user_id, now
    letter.cancel_reason = reason.strip()
    session.flush()
    _record(session, actor, "letter_cancelled", session.get(QueueItem, letter.item_id), letter_id=letter.id,
            now=now)
    return Changes(letters=True, item_ids=(letter.item_id,))
