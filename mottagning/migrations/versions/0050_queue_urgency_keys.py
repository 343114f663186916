"""The queue's stored urgency keys: class and next deadline, indexed for keyset pages

Revision ID: 0050
Revises: 0040
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0050"
down_revision = "0040"
branch_labels = None
depends_on = None

# rules.urgency.urgency_class and next_due as they were written at this revision
_CLASS = (
    "CASE status WHEN 'closed' THEN 6 WHEN 'decision_signed' THEN 5 "
    "WHEN 'received' THEN CASE WHEN flag_immediate_danger THEN 0 ELSE 1 END ELSE 2 END"
)
_NEXT_DUE = (
    "CASE WHEN status = 'received' THEN protection_due "
    "ELSE COALESCE(decision_due_extended, decision_due) END"
)


def upgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency_class", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("next_due", mottagning.models.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute(f"UPDATE queue_items SET urgency_class = {_CLASS}, next_due = {_NEXT_DUE}")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.alter_column("urgency_class", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.alter_column("next_due", existing_type=mottagning.models.UTCDateTime(timezone=True),
                              nullable=False)
        batch_op.create_index("ix_queue_items_urgency", ["urgency_class", "next_due", "id"])
        batch_op.create_index("ix_queue_items_assigned_urgency",
                              ["assigned_to_id", "urgency_class", "next_due", "id"])
        batch_op.create_index("ix_queue_items_child_urgency", ["child_id", "urgency_class"])
        batch_op.create_index("ix_queue_items_received_urgency",
                              ["received_at", "urgency_class", "child_id"])
        batch_op.create_index(batch_op.f("ix_queue_items_updated_at"), ["updated_at"])


def downgrade() -> None:
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_items_updated_at"))
        batch_op.drop_index("ix_queue_items_received_urgency")
        batch_op.drop_index("ix_queue_items_child_urgency")
        batch_op.drop_index("ix_queue_items_assigned_urgency")
        batch_op.drop_index("ix_queue_items_urgency")
        batch_op.drop_column("next_due")
        batch_op.drop_column("urgency_class")
