"""Statistics and follow-up: what a person recorded about a report's completeness (imported
by mottagning.models for Alembic). What the data themselves show (the child's identity,
whether the guardians know, the reporter's contact details) is derived in SQL, never stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base


class ReportCompleteness(Base):
    """Whether the report says what was observed and when (only a reader can tell)."""

    __tablename__ = "report_completeness"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    observation_missing: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
