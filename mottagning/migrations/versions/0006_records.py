"""Audit anchors and weeding protocols

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("checkpoint", sa.Boolean(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
    )
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_anchors_event_id"), ["event_id"], unique=False)

    op.create_table(
        "weeding_protocols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("run_by_id", sa.Integer(), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("rows_deleted", sa.JSON(), nullable=False),
        sa.Column("audit_event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_by_id"], ["users.id"], name=op.f("fk_weeding_protocols_run_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weeding_protocols")),
    )


def downgrade() -> None:
    op.drop_table("weeding_protocols")
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_anchors_event_id"))
    op.drop_table("audit_anchors")
