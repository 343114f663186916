"""Statistics: what a person recorded about a report's completeness

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


def downgrade() -> None:
    op.drop_table("report_completeness")
