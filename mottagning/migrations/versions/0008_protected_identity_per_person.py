"""Protected identity belongs to the person: existing guardian rows of a protected person
are marked too, and no protected child or guardian keeps a stored address

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ADDRESS = {"street": None, "postal_code": None, "city": None}


def upgrade() -> None:
    guardians = sa.table(
        "guardians", sa.column("id", sa.Integer), sa.column("child_id", sa.Integer),
        sa.column("report_id", sa.Integer), sa.column("name", sa.String),
        sa.column("personnummer", sa.String), sa.column("protected_identity", sa.Boolean),
        sa.column("street", sa.String), sa.column("postal_code", sa.String),
        sa.column("city", sa.String),
    )
    children = sa.table(
        "children", sa.column("protected_identity", sa.Boolean), sa.column("street", sa.String),
        sa.column("postal_code", sa.String), sa.column("city", sa.String),
    )
    protected = guardians.alias("protected")
    same_number = sa.select(protected.c.personnummer).where(
        protected.c.protected_identity.is_(True), protected.c.personnummer.is_not(None))
    op.execute(guardians.update().where(guardians.c.personnummer.in_(same_number))
               .values(protected_identity=True, **_ADDRESS))
    # Without a personnummer: the same name for the same child or in the same report.
    same_name = sa.exists().where(
        protected.c.protected_identity.is_(True), protected.c.personnummer.is_(None),
        sa.func.lower(sa.func.trim(protected.c.name)) == sa.func.lower(sa.func.trim(guardians.c.name)),
        sa.or_(protected.c.child_id == guardians.c.child_id,
               protected.c.report_id == guardians.c.report_id),
    )
    op.execute(guardians.update().where(guardians.c.personnummer.is_(None), same_name)
               .values(protected_identity=True, **_ADDRESS))
    op.execute(guardians.update().where(guardians.c.protected_identity.is_(True)).values(**_ADDRESS))
    op.execute(children.update().where(children.c.protected_identity.is_(True)).values(**_ADDRESS))


def downgrade() -> None:
    # Removed addresses cannot come back, and a person once known to be protected stays so.
    pass
