"""Statistics and follow-up: a report's completeness, how återkoppling was given, anmälningsmöten

Revision ID: 0020
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0020"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_completeness",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("observation_missing", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_report_completeness_report_id_reports")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_report_completeness_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_completeness")),
    )


    op.create_table(
        "feedback_given",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["feedback_tasks.id"],
                                name=op.f("fk_feedback_given_task_id_feedback_tasks")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_feedback_given_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_feedback_given")),
    )
    op.create_table(
        "report_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("meeting_at", mottagning.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_report_meetings_report_id_reports")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_report_meetings_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_meetings")),
    )
    with op.batch_alter_table("report_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_meetings_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_meetings_report_id"))
    op.drop_table("report_meetings")
    op.drop_table("feedback_given")
    op.drop_table("report_completeness")
