"""Passing the 14 days for synnerliga skäl: a worker asks with a reason and a new date,
a reviewer signs (or returns) the request. Both the original and the extended date stay on
the item (`decision_due` and `decision_due_extended`); feedback tasks are marked done here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.access.signature import verify_signature
from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.decisions.delegation import DecisionStatus, end_of_local_day
from mottagning.decisions.proposals import effective_due
from mottagning.errors import (
    ConcurrentEdit,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from mottagning.models.decisions import DeadlineExtension, FeedbackTask
from mottagning.queue.items import get_item
from mottagning.rules.permissions import Action
from mottagning.rules.status import DECIDED_STATUSES
from mottagning.timeutil import format_date_sv, utc_now


@dataclass(frozen=True)
class ExtensionResult:
    extension_id: int
    changes: Changes


def extension_phrase(new_due: datetime | date) -> str:
    return f"Jag signerar förlängd tid för förhandsbedömningen till {format_date_sv(new_due)}"


def request_extension(
    session: Session, actor: Actor, item_id: int, *, reason: str, new_date: date,
    now: datetime | None = None,
) -> ExtensionResult:
    """Ask to extend the decision deadline to the end of `new_date` (Stockholm time).

    Only while the deadline has not passed; the signature must come before it too."""
    actor.require(Action.PROPOSE_DECISION)
    now = now or utc_now()
    item = get_item(session, item_id)
    if item.status in DECIDED_STATUSES:
        raise InvalidTransition("Beslutet är redan fattat; tidsfristen behöver inte förlängas.")
    pending = session.execute(
        select(DeadlineExtension.id).where(DeadlineExtension.item_id == item_id,
                                           DeadlineExtension.status == DecisionStatus.AWAITING.value)
    ).first()
    if pending is not None:
        raise InvalidTransition("En begäran om förlängning väntar redan på signatur för ärendet.")
    current = effective_due(item)
    _refuse_after_deadline(current, now)
    problems = []
    if not reason.strip():
        problems.append("Skriv de synnerliga skälen till att tidsfristen behöver förlängas.")
    new_due = end_of_local_day(new_date)
    if new_due <= current:
        problems.append(f"Det nya datumet måste vara efter nuvarande tidsfrist ({format_date_sv(current)}).")
    if problems:
        raise ValidationError(problems)
    extension = DeadlineExtension(
        item_id=item_id, reason=reason.strip(), original_due=item.decision_due, new_due=new_due,
        status=DecisionStatus.AWAITING.value, requested_by_id=actor.user_id, requested_at=now,
    )
    session.add(extension)
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="extension_requested",
        entity_type="decision_extension", entity_id=extension.id, child_id=item.child_id,
        details={"item_id": item_id, "new_due": new_due.isoformat(), "reason": audit.text_digest(extension.reason)},
        now=now,
    )
    return ExtensionResult(extension.id, Changes(item_ids=(item_id,), decisions=True))


def _refuse_after_deadline(due: datetime, now: datetime) -> None:
    # Synnerliga skäl extend a time that is still running; once it has run out the
    # overrun has happened, and the decision records it with its reason instead.
    if now > due:
        raise InvalidTransition(
            f"Tidsfristen gick ut {format_date_sv(due)}. Tiden kan bara förlängas innan den "
            "har gått ut; fatta beslutet nu och skriv orsaken till att det dröjt."
        )


def _get(session: Session, extension_id: int, expected_version: int) -> DeadlineExtension:
    extension = session.get(DeadlineExtension, extension_id)
    if extension is None:
        raise NotFound(f"Begäran om förlängning {extension_id} finns inte.")
    if extension.version != expected_version:
        raise ConcurrentEdit("Begäran har ändrats sedan du öppnade den. Öppna den igen; ingenting sparades.")
    if extension.status != DecisionStatus.AWAITING:
        raise InvalidTransition("Begäran väntar inte längre på signatur.")
    return extension


def sign_extension(
    session: Session, actor: Actor, extension_id: int, *, secret: str, expected_version: int,
    now: datetime | None = None,
) -> ExtensionResult:
    """Sign an extension: the item's extended date is set; the original stays."""
    actor.require(Action.SIGN_DECISION)
    now = now or utc_now()
    extension = _get(session, extension_id, expected_version)
    if extension.requested_by_id == actor.user_id:
        raise PermissionDenied(
            "Du kan inte signera din egen begäran om förlängning. Be en annan förste "
            "socialsekreterare eller enhetschef."
        )
    item = get_item(session, extension.item_id)
    _refuse_after_deadline(effective_due(item), now)
    verify_signature(session, actor, secret, expected_phrase=extension_phrase(extension.new_due))
    extension.status = DecisionStatus.SIGNED.value
    extension.signed_by_id = actor.user_id
    extension.signed_at = now
    item.decision_due_extended = extension.new_due
    item.updated_at = now
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="extension_signed",
        entity_type="decision_extension", entity_id=extension.id, child_id=item.child_id,
        details={"item_id": item.id, "original_due": extension.original_due.isoformat(),
                 "new_due": extension.new_due.isoformat()}, now=now,
    )
    return ExtensionResult(extension.id, Changes(queue=True, item_ids=(item.id,), decisions=True))


def return_extension(
    session: Session, actor: Actor, extension_id: int, *, comment: str, expected_version: int,
    now: datetime | None = None,
) -> ExtensionResult:
    actor.require(Action.SIGN_DECISION)
    now = now or utc_now()
    extension = _get(session, extension_id, expected_version)
    if not comment.strip():
        raise ValidationError(["Skriv en kommentar som säger varför förlängningen inte godtas."])
    extension.status = DecisionStatus.RETURNED.value
    extension.return_comment = comment.strip()
    session.flush()
    item = get_item(session, extension.item_id)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="extension_returned",
        entity_type="decision_extension", entity_id=extension.id, child_id=item.child_id,
        details={"item_id": item.id, "comment": audit.text_digest(extension.return_comment)},
        now=now,
    )
    return ExtensionResult(extension.id, Changes(item_ids=(item.id,), decisions=True))


def complete_feedback_task(
    session: Session, actor: Actor, task_id: int, *, now: datetime | None = None,
) -> Changes:
    """Mark an återkoppling as sent."""
    actor.require(Action.WRITE_LETTER)
    now = now or utc_now()
    task = session.get(FeedbackTask, task_id)
    if task is None:
        raise NotFound(f"Återkopplingsuppgift {task_id} finns inte.")
    task.done, task.done_at, task.done_by_id = True, now, actor.user_id
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="feedback_task_done",
        entity_type="feedback_task", entity_id=task.id, details={"item_id": task.item_id}, now=now,
    )
    return Changes(item_ids=(task.item_id,), letters=True)
