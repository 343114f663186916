"""Statistics: covering indexes for the figures of a period

Revision ID: 0040
Revises: 0030
"""

from __future__ import annotations

from alembic import op

revision = "0040"
down_revision = "0030"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_decisions_stats_first_signed", "decisions", ["status", "item_id", "signed_at"]),
    ("ix_assessments_stats_finished", "assessments", ["item_id", "finished_at"]),
    ("ix_reports_stats_received", "reports", ["received_at", "channel", "reporter_category"]),
    ("ix_queue_items_stats_child", "queue_items", ["child_id", "received_at", "report_id"]),
    ("ix_queue_items_stats_period", "queue_items",
     ["received_at", "id", "report_id", "child_id", "flag_violence", "protection_due",
      "decision_due", "decision_due_extended", "outcome"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
