"""Issued letters and the municipality profile

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _utc(nullable: bool) -> dict:
    return {"type_": mottagning.models.UTCDateTime(timezone=True), "nullable": nullable}


def upgrade() -> None:
    op.create_table(
        "letter_template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", **_utc(False)),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_letter_template_versions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_template_versions")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_letter_template_versions_kind_version")),
    )
    op.create_table(
        "issued_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recipient_role", sa.String(length=20), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("protected_recipient", sa.Boolean(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.JSON(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", **_utc(False)),
        sa.Column("printed_by_id", sa.Integer(), nullable=True),
        sa.Column("printed_at", **_utc(True)),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", **_utc(True)),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", **_utc(True)),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"],
                                name=op.f("fk_issued_letters_cancelled_by_id_users")),
        sa.ForeignKeyConstraint(["guardian_id"], ["guardians.id"],
                                name=op.f("fk_issued_letters_guardian_id_guardians")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"],
                                name=op.f("fk_issued_letters_issued_by_id_users")),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"],
                                name=op.f("fk_issued_letters_item_id_queue_items")),
        sa.ForeignKeyConstraint(["printed_by_id"], ["users.id"],
                                name=op.f("fk_issued_letters_printed_by_id_users")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_issued_letters_report_id_reports")),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"],
                                name=op.f("fk_issued_letters_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_letters")),
    )
    with op.batch_alter_table("issued_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_letters_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issued_letters_report_id"), ["report_id"], unique=False)
        batch_op.create_index("ix_issued_letters_status_issued", ["status", "issued_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issued_letters", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_letters_status_issued")
        batch_op.drop_index(batch_op.f("ix_issued_letters_report_id"))
        batch_op.drop_index(batch_op.f("ix_issued_letters_item_id"))
    op.drop_table("issued_letters")
    op.drop_table("letter_template_versions")
