"""Sign-in: password state and failed attempts: tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base


class SignInState(Base):
    """Per user: consecutive failed sign-ins and until when the next attempt must wait.

    Kept in the database (not in the client) so the delay holds across processes and
    machines on a shared server.
    """

    __tablename__ = "sign_in_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None]
    retry_after: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
