"""Decision proposals, signatures and extensions

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, mottagning.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "decision_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _when("original_due", nullable=False),
        _when("new_due", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        _when("requested_at", nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        _when("signed_at", nullable=True),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"],
                                name=op.f("fk_decision_extensions_item_id_queue_items")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_decision_extensions_requested_by_id_users")),
        sa.ForeignKeyConstraint(["signed_by_id"], ["users.id"],
                                name=op.f("fk_decision_extensions_signed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_extensions")),
    )
    with op.batch_alter_table("decision_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_extensions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_extensions_status"), ["status"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("open_support_offered", sa.Boolean(), nullable=True),
        sa.Column("guardians_to_be_informed", sa.Boolean(), nullable=True),
        sa.Column("ongoing_investigation", sa.String(length=200), nullable=True),
        sa.Column("forward_municipality", sa.String(length=200), nullable=True),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("violence_reason", sa.Text(), nullable=True),
        sa.Column("overrun_reason", sa.Text(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        _when("proposed_at", nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        _when("signed_at", nullable=True),
        sa.Column("signer_delegation", sa.String(length=200), nullable=True),
        sa.Column("violence_acknowledged", sa.Boolean(), nullable=False),
        sa.Column("overdue_at_signing", sa.Boolean(), nullable=False),
        sa.Column("returned_by_id", sa.Integer(), nullable=True),
        _when("returned_at", nullable=True),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.Column("corrects_decision_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["corrects_decision_id"], ["decisions.id"],
                                name=op.f("fk_decisions_corrects_decision_id_decisions")),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"],
                                name=op.f("fk_decisions_item_id_queue_items")),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["users.id"],
                                name=op.f("fk_decisions_proposed_by_id_users")),
        sa.ForeignKeyConstraint(["returned_by_id"], ["users.id"],
                                name=op.f("fk_decisions_returned_by_id_users")),
        sa.ForeignKeyConstraint(["signed_by_id"], ["users.id"],
                                name=op.f("fk_decisions_signed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_status"), ["status"], unique=False)

    op.create_table(
        "feedback_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(length=30), nullable=False),
        _when("created_at", nullable=False),
        _when("due_at", nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        _when("done_at", nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"],
                                name=op.f("fk_feedback_tasks_decision_id_decisions")),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"],
                                name=op.f("fk_feedback_tasks_done_by_id_users")),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"],
                                name=op.f("fk_feedback_tasks_item_id_queue_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_tasks")),
    )
    with op.batch_alter_table("feedback_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_tasks_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_tasks_item_id"))
    op.drop_table("feedback_tasks")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_status"))
        batch_op.drop_index(batch_op.f("ix_decisions_item_id"))
    op.drop_table("decisions")
    with op.batch_alter_table("decision_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_extensions_status"))
        batch_op.drop_index(batch_op.f("ix_decision_extensions_item_id"))
    op.drop_table("decision_extensions")
