"""Statistics and follow-up: what a person recorded about a report's completeness (imported
by mottagning.models for Alembic). What the data themselves show (the child's identity,
whether the guardians know, the reporter's contact details) is derived in SQL, never stored;
the figures' per-item facts are kept by the database itself (`StatsItem`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
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


# Covering indexes for the statistics (migration 0040; the items' period index went with 0080,
# the figures read the summary below): each figure of a year reads index
# entries in order instead of looking up every wide row (a decision's motivation, a report's
# text, an assessment's answers) and sorting it again.
Index("ix_decisions_stats_first_signed", Decision.status, Decision.item_id, Decision.signed_at)
Index("ix_assessments_stats_finished", Assessment.item_id, Assessment.finished_at)
Index("ix_reports_stats_received", Report.received_at, Report.channel, Report.reporter_category)
Index("ix_queue_items_stats_child", QueueItem.child_id, QueueItem.received_at, QueueItem.report_id)


class StatsItem(Base):
    """What the figures read about one queue item, one narrow row per item (migration 0080).

    Derived, never written by the program: the database's own triggers (created by the
    migration, the same statement on SQLite and PostgreSQL) rewrite an item's row in the same
    transaction as every change to the item, its skyddsbedömning, its decisions or its child,
    so no service can forget it and the bulk demo's raw inserts fill it too. The rules of the
    derived columns (age at receipt, legal sex, first signature, days to it) are in that
    migration and in docs/statistics.md."""

    __tablename__ = "stats_items"

    # No foreign keys: the row follows its item, including its deletion (gallring).
    item_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    report_id: Mapped[int]
    first_of_report: Mapped[bool] = mapped_column(Boolean)
    """The report's item with the lowest id: counts the report once."""
    first_violent_of_report: Mapped[bool] = mapped_column(Boolean)
    """The report's violence-flagged item with the lowest id (the flag is per item)."""
    child_id: Mapped[int]
    received_at: Mapped[datetime]
    flag_violence: Mapped[bool] = mapped_column(Boolean)
    protection_due: Mapped[datetime]
    decision_due: Mapped[datetime]
    decision_due_extended: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(40))
    assessed_at: Mapped[datetime | None]
    """When the item's skyddsbedömning was finished (NULL: not yet)."""
    decided_at: Mapped[datetime | None]
    """The first signature of a decision on the item (a later correction keeps it)."""
    days_to_decision: Mapped[float | None] = mapped_column(Float)
    """Elapsed days (fractional) from receipt to `decided_at`."""
    age: Mapped[int | None] = mapped_column(Integer)
    """The child's age in whole years on the (UTC) day of receipt; NULL without a birth date."""
    sex: Mapped[str] = mapped_column(String(10))
    """'girl', 'boy' (the personnummer's second last digit) or 'unknown'."""


class StatsReportConcern(Base):
    """One row per concern category of a report (kept by triggers like `StatsItem`)."""

    __tablename__ = "stats_report_concerns"

    report_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    concern_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime]


# A period is a range of the first column; every other column a figure reads follows in the
# entry, so a year is one ordered read of an index without a look at the table.
Index("ix_stats_items_period", StatsItem.received_at, StatsItem.item_id, StatsItem.report_id,
      StatsItem.first_of_report, StatsItem.first_violent_of_report, StatsItem.child_id, StatsItem.flag_violence, StatsItem.protection_due,
      StatsItem.decision_due, StatsItem.decision_due_extended, StatsItem.outcome,
      StatsItem.assessed_at, StatsItem.decided_at, StatsItem.days_to_decision, StatsItem.age,
      StatsItem.sex)
# A child's items in time order (repeat reports; the triggers find a child's items by it).
Index("ix_stats_items_child", StatsItem.child_id, StatsItem.received_at)
# Undecided items (open items by age) without reading the decided ones.
Index("ix_stats_items_undecided", StatsItem.decided_at, StatsItem.received_at)
# The breakdowns: each value (an outcome with or without the violence flag, an age, a sex) and
# the period are one range of these, counted without testing the period's rows one by one.
Index("ix_stats_items_outcome", StatsItem.outcome, StatsItem.flag_violence, StatsItem.received_at)
Index("ix_stats_items_age", StatsItem.age, StatsItem.received_at)
Index("ix_stats_items_sex", StatsItem.sex, StatsItem.received_at)
# The median and the 90th percentile read at their ranks in days order, without a sort.
Index("ix_stats_items_days", StatsItem.days_to_decision, StatsItem.received_at)
# Each value's rows of a period are one range: counted per value without sorting the period
# (the values themselves are found by seeking the next one, a handful of seeks).
Index("ix_stats_report_concerns_code", StatsReportConcern.concern_code, StatsReportConcern.received_at)
Index("ix_reports_stats_channel", Report.channel, Report.received_at)
Index("ix_reports_stats_reporter_category", Report.reporter_category, Report.received_at)
