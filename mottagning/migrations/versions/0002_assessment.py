"""Safety assessments (skyddsbedömning)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _utc(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, mottagning.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=100), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("form_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("focus_question", sa.String(length=100), nullable=True),
        sa.Column("shown_questions", sa.JSON(), nullable=False),
        sa.Column("recommended_outcome", sa.String(length=40), nullable=True),
        sa.Column("floor", sa.String(length=40), nullable=True),
        sa.Column("rules_fired", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        _utc("started_at", nullable=False),
        _utc("updated_at", nullable=False),
        _utc("notes_audited_at", nullable=True),
        sa.Column("finished_by_id", sa.Integer(), nullable=True),
        _utc("finished_at", nullable=True),
        sa.Column("second_signer_id", sa.Integer(), nullable=True),
        _utc("second_signed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["finished_by_id"], ["users.id"],
                                name=op.f("fk_assessments_finished_by_id_users")),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"],
                                name=op.f("fk_assessments_item_id_queue_items")),
        sa.ForeignKeyConstraint(["second_signer_id"], ["users.id"],
                                name=op.f("fk_assessments_second_signer_id_users")),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"],
                                name=op.f("fk_assessments_started_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("item_id", name=op.f("uq_assessments_item_id")),
    )
    op.create_index(op.f("ix_assessments_status"), "assessments", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_assessments_status"), table_name="assessments")
    op.drop_table("assessments")
