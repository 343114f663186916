"""Issued letters and edited letter templates: tables of this area (imported by mottagning.models for Alembic).

The municipality profile is a setting (mottagning.letters.service), not a table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mottagning.models.access import User
from mottagning.models.base import Base


class IssuedLetter(Base):
    """One letter to one recipient exactly as approved: the PDF is the record.

    `status` moves approved → printed → sent, or to cancelled; the bytes never change, so a
    reprint is identical and `sha256` proves it.
    """

    __tablename__ = "issued_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient_role: Mapped[str] = mapped_column(String(20))
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"))
    recipient_name: Mapped[str] = mapped_column(String(200))
    protected_recipient: Mapped[bool] = mapped_column(default=False)
    template_version: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    meeting: Mapped[dict[str, Any] | None]
    warnings: Mapped[list[str]]
    demo: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    printed_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    printed_by: Mapped[User | None] = relationship(foreign_keys=[printed_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    __mapper_args__ = {"version_id_col": version}


Index("ix_issued_letters_status_issued", IssuedLetter.status, IssuedLetter.issued_at)


class LetterTemplateVersion(Base):
    """A template text saved by an administrator; versions are never changed, only added."""

    __tablename__ = "letter_template_versions"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
