"""Team mode: who has which form open for editing (presence on a case)

Revision ID: 0060
Revises: 0050
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0060"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editing_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("since", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", mottagning.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_editing_presence_user_id_users")),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"],
                                name=op.f("fk_editing_presence_item_id_queue_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editing_presence")),
        sa.UniqueConstraint("user_id", "kind", "item_id",
                            name=op.f("uq_editing_presence_user_id_kind_item_id")),
    )
    with op.batch_alter_table("editing_presence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_editing_presence_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("editing_presence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_editing_presence_item_id"))
    op.drop_table("editing_presence")
