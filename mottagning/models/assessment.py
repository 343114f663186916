"""Safety assessments (skyddsbedömning): tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base

DRAFT = "draft"
AWAITING_SECOND_SIGNATURE = "awaiting_second_signature"
FINISHED = "finished"
ASSESSMENT_STATUSES = (DRAFT, AWAITING_SECOND_SIGNATURE, FINISHED)


class Assessment(Base):
    """The skyddsbedömning of one queue item, from the first answer to the last signature.

    The form is pinned by id, version and SHA-256 when the assessment starts, so a later
    form version never changes what an earlier assessment meant. `answers` and `notes`
    map question ids to "ja"/"nej"/"vet_ej" and to free text; the recommendation columns
    are what the form said at the moment of finishing.
    """

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), unique=True)
    form_id: Mapped[str] = mapped_column(String(100))
    form_version: Mapped[int] = mapped_column(Integer)
    form_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(30), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Where the worker was, so a reopened draft puts the cursor back on that question.
    focus_question: Mapped[str | None] = mapped_column(String(100))
    shown_questions: Mapped[list[str]] = mapped_column(JSON)
    recommended_outcome: Mapped[str | None] = mapped_column(String(40))
    floor: Mapped[str | None] = mapped_column(String(40))
    rules_fired: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(40))
    override_reason: Mapped[str | None] = mapped_column(Text)
    # The acute checklist of an immediate-protection outcome: step id -> done.
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON)
    # question id -> {"version": n, "by": user id} of the answer and of the note: a save
    # over a newer answer or note (another desk changed it) is refused, not overwritten.
    answer_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Note autosaves are audited at most once a minute (see mottagning.assessment.service).
    notes_audited_at: Mapped[datetime | None]
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None]
    second_signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_signed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
