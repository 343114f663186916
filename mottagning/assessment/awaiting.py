"""Skyddsbedömningar waiting for a second signature: the work a senior must be told about.

An outcome below the red-flag floor does not count until another senior has signed it, and
until then the child waits (guardians may not be contacted). So these are listed beside the
proposals in Att signera, the report's immediate danger first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.context import Actor
from mottagning.models import Child, QueueItem, User
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE, Assessment
from mottagning.rules.permissions import Action


@dataclass(frozen=True)
class SecondSignatureRow:
    assessment_id: int
    item_id: int
    child_name: str
    outcome: str
    floor: str | None
    urgent: bool
    """The report says the child is in immediate danger (Akut)."""
    violence: bool
    finished_by_id: int
    finished_by: str
    finished_at: datetime
    protection_due: datetime

    def own(self, actor: Actor) -> bool:
        """Finished by `actor`, who cannot be its second assessor."""
        return self.finished_by_id == actor.user_id


def list_awaiting_second_signature(session: Session, actor: Actor) -> list[SecondSignatureRow]:
    """Every skyddsbedömning waiting for a second signature: Akut first, then the one
    finished longest ago (it has waited longest). Names only, no case content: not an
    audited read; opening one is."""
    actor.require(Action.SECOND_SIGN_ASSESSMENT)
    query = (
        select(Assessment, QueueItem, Child.name, User.full_name)
        .join(QueueItem, Assessment.item_id == QueueItem.id)
        .join(Child, QueueItem.child_id == Child.id)
        .join(User, Assessment.finished_by_id == User.id)
        .where(Assessment.status == AWAITING_SECOND_SIGNATURE)
    )
    rows = [
        SecondSignatureRow(
            assessment_id=assessment.id, item_id=item.id, child_name=child_name,
            outcome=assessment.outcome or "", floor=assessment.floor,
            urgent=bool(item.flag_immediate_danger), violence=bool(item.flag_violence),
            finished_by_id=assessment.finished_by_id, finished_by=finished_by,
            finished_at=assessment.finished_at, protection_due=item.protection_due)
        for assessment, item, child_name, finished_by in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (not r.urgent, r.finished_at, r.assessment_id))
