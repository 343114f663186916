"""Audit anchors and weeding protocols: tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base


class AuditAnchor(Base):
    """An HMAC over the audit chain's head at one moment (see mottagning.audit.anchor).

    The newest anchor is always kept; older ones only at checkpoints, so the table stays
    small while an edit far back is still narrowed down to a stretch of the chain.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    checkpoint: Mapped[bool] = mapped_column(Boolean, default=False)
    mac: Mapped[str] = mapped_column(String(64))


class WeedingProtocol(Base):
    """What one weeding run removed: kinds, counts, record ids, rules, who and when.

    Holds no personal data, so it stays when the records themselves are gone.
    """

    __tablename__ = "weeding_protocols"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at: Mapped[datetime]
    run_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    run_by: Mapped[str] = mapped_column(String(100))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    rows_deleted: Mapped[dict[str, Any]] = mapped_column(JSON)
    audit_event_id: Mapped[int | None] = mapped_column(Integer)
