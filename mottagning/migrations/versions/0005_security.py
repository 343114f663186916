"""Sign-in: password state and failed attempts

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mottagning.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", mottagning.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retry_after", mottagning.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", mottagning.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", mottagning.models.UTCDateTime(timezone=True),
                  nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_sign_in_states_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_sign_in_states")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_states")
