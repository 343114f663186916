"""Decision proposals, signatures, deadline extensions and feedback tasks (imported by
mottagning.models for Alembic).

A proposal and the decision it becomes are one row: a worker proposes, a reviewer signs
(or returns it with a comment). A signed row is never changed again; a correction is a new
row pointing at the old one through `corrects_decision_id`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    # Outcome details: which apply depends on the outcome (see mottagning.decisions.proposals).
    open_support_offered: Mapped[bool | None] = mapped_column(Boolean)
    guardians_to_be_informed: Mapped[bool | None] = mapped_column(Boolean)
    ongoing_investigation: Mapped[str | None] = mapped_column(String(200))
    forward_municipality: Mapped[str | None] = mapped_column(String(200))
    motivation: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Contacts made during the förhandsbedömning: [{"with": ..., "when": ISO date, "note": ...}]
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    violence_reason: Mapped[str | None] = mapped_column(Text)
    overrun_reason: Mapped[str | None] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]
    signer_delegation: Mapped[str | None] = mapped_column(String(200))
    violence_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_at_signing: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None]
    return_comment: Mapped[str | None] = mapped_column(Text)
    corrects_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DeadlineExtension(Base):
    """A request to pass the 14 days for synnerliga skäl; it counts only once signed."""

    __tablename__ = "decision_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    original_due: Mapped[datetime]
    new_due: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]
    return_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class FeedbackTask(Base):
    """Återkoppling owed to a mandatory reporter who asked for it: only whether an
    investigation was opened, not opened, or already under way."""

    __tablename__ = "feedback_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    content: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
