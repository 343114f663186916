"""Calibration: tables of this area (imported by mottagning.models for Alembic).

Training answers live here and nowhere else: no queue item, no assessment row, no case
audit event refers to them, so the queue, the statistics and the case audit never see them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base

TRAINING_DRAFT = "draft"
TRAINING_FINISHED = "finished"


class CalibrationRound(Base):
    """A calibration round opened by a senior: vignettes pinned by version, a closing date."""

    __tablename__ = "calibration_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    form_id: Mapped[str] = mapped_column(String(100))
    form_version: Mapped[int] = mapped_column(Integer)
    closes_on: Mapped[date]
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]


class CalibrationRoundVignette(Base):
    """One vignette of a round, at the version it had when the round was opened."""

    __tablename__ = "calibration_round_vignettes"

    round_id: Mapped[int] = mapped_column(ForeignKey("calibration_rounds.id"), primary_key=True)
    vignette_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    vignette_version: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)


class CalibrationParticipant(Base):
    """A worker's pseudonym in one round ("Deltagare 2"), given at their first answer."""

    __tablename__ = "calibration_participants"
    __table_args__ = (UniqueConstraint("round_id", "number",
                                       name="uq_calibration_participants_round_id_number"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("calibration_rounds.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)


class TrainingAnswer(Base):
    """A worker's answer to one vignette of a round, made on the skyddsbedömning screen in
    training mode. `answers`/`notes` are shaped like an assessment's."""

    __tablename__ = "calibration_answers"
    __table_args__ = (UniqueConstraint("round_id", "vignette_id", "user_id",
                                       name="uq_calibration_answers_round_id_vignette_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("calibration_rounds.id"), index=True)
    vignette_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)
    focus_question: Mapped[str | None] = mapped_column(String(100))
    recommended_outcome: Mapped[str | None] = mapped_column(String(40))
    rules_fired: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(40))
    override_reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class VignetteReference(Base):
    """A reference answer agreed at a review meeting: a new version of the vignette."""

    __tablename__ = "calibration_vignette_references"
    __table_args__ = (UniqueConstraint("vignette_id", "version",
                                       name="uq_calibration_vignette_references_vignette_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vignette_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime]
