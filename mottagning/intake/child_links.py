"""Linking child records that are the same child.

A child without a personnummer is identified by name and birth date; two reports about
her can become two child records, with two histories and no repeat flag. The application
suggests the link (same birth date and name), a worker confirms it with a reason, and the
records are merged: every queue item and guardian of the merged record moves to the kept
one, so one history shows every report. The merge records what moved, so it can be undone.
Both steps are audited on both children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import InvalidTransition, NotFound, ValidationError
from mottagning.intake.reports import REPEAT_WINDOW
from mottagning.models import Child, ChildMerge, Guardian, QueueItem
from mottagning.rules.permissions import Action
from mottagning.timeutil import utc_now


@dataclass(frozen=True)
class LinkSuggestion:
    child_id: int
    name: str
    personnummer: str | None
    birth_date: date | None
    reports: int


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    kept_child_id: int
    item_ids: tuple[int, ...]
    changes: Changes = field(default_factory=Changes)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _child(session: Session, child_id: int) -> Child:
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound(f"Barn {child_id} finns inte.")
    return child


def suggest_links(session: Session, actor: Actor, child_id: int, *,
                  now: datetime | None = None) -> list[LinkSuggestion]:
    """Other child records that may be the same child: same birth date and same name, and
    at most one of the two has a personnummer. A suggestion only; nothing is linked.
    Showing another child's record is a read of it: audited when there is one."""
    actor.require(Action.READ_CASE)
    child = _child(session, child_id)
    if child.birth_date is None:
        return []
    others = session.execute(
        select(Child).where(Child.birth_date == child.birth_date, Child.id != child.id)
    ).scalars().all()
    found = [
        LinkSuggestion(o.id, o.name, o.personnummer, o.birth_date, len(o.items))
        for o in others
        if o.items and _same_name(o.name, child.name)
        and not (o.personnummer and child.personnummer)
    ]
    for suggestion in found:
        audit.record(session, actor=actor.username, user_id=actor.user_id,
                     action="child_link_suggestion_viewed", entity_type="child",
                     entity_id=suggestion.child_id, child_id=suggestion.child_id,
                     details={"for_child_id": child.id}, now=now or utc_now())
    return found


def _refresh_repeat_flags(session: Session, child_id: int) -> None:
    items = session.execute(
        select(QueueItem).where(QueueItem.child_id == child_id).order_by(QueueItem.received_at,
                                                                         QueueItem.id)
    ).scalars().all()
    for position, item in enumerate(items):
        earlier = [i for i in items[:position] if item.received_at - i.received_at <= REPEAT_WINDOW]
        if bool(earlier) != item.flag_repeat:
            item.flag_repeat = bool(earlier)


def merge_children(
    session: Session, actor: Actor, *, kept_child_id: int, merged_child_id: int, reason: str,
    now: datetime | None = None,
) -> MergeResult:
    """Confirm that two child records are the same child: the merged one's items and
    guardians move to the kept one (every report kept); a record with a personnummer is
    always the one kept. Reversible with `undo_merge`."""
    actor.require(Action.READ_CASE)
    actor.require(Action.ASSESS)
    now = now or utc_now()
    kept, merged = _child(session, kept_child_id), _child(session, merged_child_id)
    if merged.personnummer and not kept.personnummer:
        kept, merged = merged, kept  # the record with the personnummer is the one kept
    problems = []
    if kept.id == merged.id:
        problems.append("Välj två olika barn.")
    if kept.personnummer and merged.personnummer and kept.personnummer != merged.personnummer:
        problems.append("Barnen har olika personnummer och kan inte vara samma barn.")
    if not reason.strip():
        problems.append("Skriv varför det är samma barn (t.ex. vad som stämmer överens).")
    if {i.report_id for i in kept.items} & {i.report_id for i in merged.items}:
        problems.append("Barnen finns i samma anmälan och kan inte slås ihop.")
    if problems:
        raise ValidationError(problems)
    items = list(merged.items)
    guardians = session.execute(select(Guardian).where(Guardian.child_id == merged.id)).scalars().all()
    for item in items:
        item.child_id = kept.id
        item.updated_at = now
    for guardian in guardians:
        guardian.child_id = kept.id
    # Protection belongs to the person (and is not undone with the merge).
    if merged.protected_identity:
        from mottagning.intake.protected_identity import protect_child

        protect_child(kept)
    merge = ChildMerge(
        kept_child_id=kept.id, merged_child_id=merged.id, item_ids=[i.id for i in items],
        guardian_ids=[g.id for g in guardians], reason=reason.strip(),
        merged_by_id=actor.user_id, merged_at=now,
    )
    session.add(merge)
    session.flush()
    session.expire(kept, ["items", "guardians"])
    session.expire(merged, ["items", "guardians"])
    _refresh_repeat_flags(session, kept.id)
    session.flush()
    for child_id in (kept.id, merged.id):
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="children_merged",
            entity_type="child_merge", entity_id=merge.id, child_id=child_id,
            details={"kept_child_id": kept.id, "merged_child_id": merged.id,
                     "item_ids": merge.item_ids, "reason": audit.text_digest(merge.reason)},
            now=now,
        )
    item_ids = tuple(i.id for i in kept.items)
    return MergeResult(merge.id, kept.id, item_ids, Changes(queue=True, item_ids=item_ids))


def undo_merge(
    session: Session, actor: Actor, merge_id: int, *, reason: str, now: datetime | None = None,
) -> MergeResult:
    """Undo a merge: the items and guardians that moved go back to their own record."""
    actor.require(Action.READ_CASE)
    actor.require(Action.ASSESS)
    now = now or utc_now()
    merge = session.get(ChildMerge, merge_id)
    if merge is None:
        raise NotFound(f"Sammanslagning {merge_id} finns inte.")
    if merge.undone_at is not None:
        raise InvalidTransition("Sammanslagningen är redan ångrad.")
    if not reason.strip():
        raise ValidationError(["Skriv varför sammanslagningen ångras."])
    for item_id in merge.item_ids:
        item = session.get(QueueItem, item_id)
        if item is not None:
            item.child_id = merge.merged_child_id
            item.updated_at = now
    for guardian_id in merge.guardian_ids:
        guardian = session.get(Guardian, guardian_id)
        if guardian is not None:
            guardian.child_id = merge.merged_child_id
    merge.undone_at, merge.undone_by_id, merge.undo_reason = now, actor.user_id, reason.strip()
    session.flush()
    for child_id in (merge.kept_child_id, merge.merged_child_id):
        session.expire(_child(session, child_id), ["items", "guardians"])
        _refresh_repeat_flags(session, child_id)
    session.flush()
    for child_id in (merge.kept_child_id, merge.merged_child_id):
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="children_unmerged",
            entity_type="child_merge", entity_id=merge.id, child_id=child_id,
            details={"item_ids": merge.item_ids, "reason": audit.text_digest(merge.undo_reason)},
            now=now,
        )
    item_ids = tuple(merge.item_ids)
    return MergeResult(merge.id, merge.kept_child_id, item_ids, Changes(queue=True, item_ids=item_ids))
