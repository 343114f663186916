"""Statistics and follow-up: what a person recorded about a report's completeness (imported
by mottagning.models for Alembic). What the data themselves show (the child's identity,
whether the guardians know, the reporter's contact details) is derived in SQL, never stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.assessment import Assessment
from mottagning.models.base import Base
from mottagning.models.decisions import Decision
from mottagning.models.intake import Report
from mottagning.models.queue import QueueItem


class ReportCompleteness(Base):
    """Whether the report says what was observed and when (only a reader can tell)."""

    __tablename__ = "report_completeness"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    observation_missing: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class FeedbackGiven(Base):
    """How an återkoppling was given (letter, phone, meeting); the task itself is marked done
    by mottagning.decisions.extensions.complete_feedback_task."""

    __tablename__ = "feedback_given"

    task_id: Mapped[int] = mapped_column(ForeignKey("feedback_tasks.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class ReportMeeting(Base):
    """An anmälningsmöte (the reporter, the family and the unit) as it moves on: offered,
    booked, held or declined. Each step is a new row; the newest is the meeting's state."""

    __tablename__ = "report_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    meeting_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


# Covering indexes for the statistics (migration 0040): each figure of a year reads index
# entries in order instead of looking up every wide row (a decision's motivation, a report's
# text, an assessment's answers) and sorting it again.
Index("ix_decisions_stats_first_signed", Decision.status, Decision.item_id, Decision.signed_at)
Index("ix_assessments_stats_finished", Assessment.item_id, Assessment.finished_at)
Index("ix_reports_stats_received", Report.received_at, Report.channel, Report.reporter_category)
Index("ix_queue_items_stats_child", QueueItem.child_id, QueueItem.received_at, QueueItem.report_id)
Index("ix_queue_items_stats_period", QueueItem.received_at, QueueItem.id, QueueItem.report_id,
      QueueItem.child_id, QueueItem.flag_violence, QueueItem.protection_due, QueueItem.decision_due,
      QueueItem.decision_due_extended, QueueItem.outcome)
