"""No lost update for skyddsbedömning answers: each answer and note carries its own version

Revision ID: 0100
Revises: 0080
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0080"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, not a batch copy of the table: on SQLite a batch renames a copy to
# `assessments`, which the statistics triggers of 0080 refuse (they name the table).
def upgrade() -> None:
    op.add_column("assessments", sa.Column("answer_versions", sa.JSON(), nullable=False,
                                           server_default=sa.text("'{}'")))
    op.add_column("assessments", sa.Column("note_versions", sa.JSON(), nullable=False,
                                           server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.execute("ALTER TABLE assessments DROP COLUMN note_versions")
    op.execute("ALTER TABLE assessments DROP COLUMN answer_versions")
