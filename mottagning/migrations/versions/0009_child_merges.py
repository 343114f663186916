"""Child merges: two child records confirmed to be the same child, reversible

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_child_id", sa.Integer(), nullable=False),
        sa.Column("merged_child_id", sa.Integer(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("guardian_ids", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_at", mottagning.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_child_id"], ["children.id"], name=op.f("fk_child_merges_kept_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["merged_child_id"], ["children.id"],
            name=op.f("fk_child_merges_merged_child_id_children"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["users.id"], name=op.f("fk_child_merges_merged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"], ["users.id"], name=op.f("fk_child_merges_undone_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_merges")),
    )
    with op.batch_alter_table("child_merges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_child_merges_kept_child_id"), ["kept_child_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_child_merges_merged_child_id"), ["merged_child_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("child_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_merges_merged_child_id"))
        batch_op.drop_index(batch_op.f("ix_child_merges_kept_child_id"))
    op.drop_table("child_merges")
