"""Calibration: rounds, pseudonymous participants, training answers, vignette references

Revision ID: 0030
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0030"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = mottagning.models.UTCDateTime(timezone=True)
    op.create_table(
        "calibration_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("form_id", sa.String(length=100), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", utc, nullable=False),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"],
                                name=op.f("fk_calibration_rounds_opened_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_rounds")),
    )
    op.create_table(
        "calibration_round_vignettes",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("vignette_id", sa.String(length=100), nullable=False),
        sa.Column("vignette_version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["calibration_rounds.id"],
            name=op.f("fk_calibration_round_vignettes_round_id_calibration_rounds")),
        sa.PrimaryKeyConstraint("round_id", "vignette_id",
                                name=op.f("pk_calibration_round_vignettes")),
    )
    op.create_table(
        "calibration_participants",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["calibration_rounds.id"],
            name=op.f("fk_calibration_participants_round_id_calibration_rounds")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calibration_participants_user_id_users")),
        sa.PrimaryKeyConstraint("round_id", "user_id", name=op.f("pk_calibration_participants")),
        sa.UniqueConstraint("round_id", "number",
                            name="uq_calibration_participants_round_id_number"),
    )
    op.create_table(
        "calibration_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("vignette_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("focus_question", sa.String(length=100), nullable=True),
        sa.Column("recommended_outcome", sa.String(length=40), nullable=True),
        sa.Column("rules_fired", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("started_at", utc, nullable=False),
        sa.Column("finished_at", utc, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["calibration_rounds.id"],
                                name=op.f("fk_calibration_answers_round_id_calibration_rounds")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calibration_answers_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_answers")),
        sa.UniqueConstraint("round_id", "vignette_id", "user_id",
                            name="uq_calibration_answers_round_id_vignette_id_user_id"),
    )
    with op.batch_alter_table("calibration_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calibration_answers_round_id"), ["round_id"],
                              unique=False)
    op.create_table(
        "calibration_vignette_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vignette_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", utc, nullable=False),
        sa.ForeignKeyConstraint(["saved_by_id"], ["users.id"],
                                name=op.f("fk_calibration_vignette_references_saved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_vignette_references")),
        sa.UniqueConstraint("vignette_id", "version",
                            name="uq_calibration_vignette_references_vignette_id_version"),
    )


def downgrade() -> None:
    op.drop_table("calibration_vignette_references")
    with op.batch_alter_table("calibration_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calibration_answers_round_id"))
    op.drop_table("calibration_answers")
    op.drop_table("calibration_participants")
    op.drop_table("calibration_round_vignettes")
    op.drop_table("calibration_rounds")
