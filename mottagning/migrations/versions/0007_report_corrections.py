"""Report corrections (concern codes, receipt time) with a reason; a quarantined file's arrival

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=False),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=False),
        sa.Column("corrected_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"], ["users.id"],
            name=op.f("fk_report_corrections_corrected_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_corrections_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_corrections")),
    )
    with op.batch_alter_table("report_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_corrections_report_id"), ["report_id"], unique=False
        )

    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_arrived_at", mottagning.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_column("file_arrived_at")
    with op.batch_alter_table("report_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_corrections_report_id"))
    op.drop_table("report_corrections")
