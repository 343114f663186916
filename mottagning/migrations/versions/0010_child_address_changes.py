"""Child address changes: an address a report gives for a known child is a proposal a worker
confirms; the previous address is kept

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_address_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("previous_street", sa.String(length=200), nullable=True),
        sa.Column("previous_postal_code", sa.String(length=20), nullable=True),
        sa.Column("previous_city", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", mottagning.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"],
                                name=op.f("fk_child_address_changes_child_id_children")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_child_address_changes_report_id_reports")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_child_address_changes_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_address_changes")),
    )
    with op.batch_alter_table("child_address_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_address_changes_child_id"), ["child_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("child_address_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_address_changes_child_id"))
    op.drop_table("child_address_changes")
