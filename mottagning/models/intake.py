"""Reports as received: the report, its attachments, children and guardians; inbox sources and alarms."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mottagning.models.base import Base

if TYPE_CHECKING:  # relationships across area modules
    from mottagning.models.access import User
    from mottagning.models.queue import QueueItem


class Report(Base):
    """One concern report as received, the reporter's words kept verbatim."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("source", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(20))
    reporter_category: Mapped[str] = mapped_column(String(40))
    reporter_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_organisation: Mapped[str | None] = mapped_column(String(200))
    reporter_role: Mapped[str | None] = mapped_column(String(200))
    reporter_phone: Mapped[str | None] = mapped_column(String(100))
    reporter_email: Mapped[str | None] = mapped_column(String(200))
    reporter_wants_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    concern_codes: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    immediate_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    guardians_informed: Mapped[bool | None] = mapped_column(Boolean)
    child_informed: Mapped[bool | None] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(100))
    submission_id: Mapped[str | None] = mapped_column(String(200))
    sequence: Mapped[int | None] = mapped_column(Integer)
    # Deferred: a list of reports must not load each report's stored original (megabytes
    # each); it is read only where the original itself is shown or compared.
    original: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    original_sha256: Mapped[str | None] = mapped_column(String(64))
    data_quality_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    late_delivery_note: Mapped[str | None] = mapped_column(String(300))
    registered_at: Mapped[datetime]
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    items: Mapped[list[QueueItem]] = relationship(back_populates="report")
    registered_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)

    report: Mapped[Report] = relationship(back_populates="attachments")


class ReportCorrection(Base):
    """A worker's correction of what a report says about itself (its concern codes, its
    receipt time), with the reason. The reporter's own words are never corrected."""

    __tablename__ = "report_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime]


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    personnummer: Mapped[str | None] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    coordination_number: Mapped[bool] = mapped_column(Boolean, default=False)
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    school: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    items: Mapped[list[QueueItem]] = relationship(back_populates="child")
    guardians: Mapped[list[Guardian]] = relationship(back_populates="child")


Index("ix_children_name_birth", Child.name, Child.birth_date)


class ChildMerge(Base):
    """Two child records a worker confirmed are the same child (typically without a
    personnummer: same name and birth date). The merged record's items and guardians move
    to the kept one; which ones moved is recorded here, so the link can be undone."""

    __tablename__ = "child_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    merged_child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    item_ids: Mapped[list[int]] = mapped_column(JSON)
    guardian_ids: Mapped[list[int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None]
    undo_reason: Mapped[str | None] = mapped_column(Text)


class ChildAddressChange(Base):
    """A report gives a known child another address: a proposal a worker confirms (or
    rejects). The child's record changes only on confirmation, and the previous address is
    kept here, so the child's addresses have a history."""

    __tablename__ = "child_address_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    previous_street: Mapped[str | None] = mapped_column(String(200))
    previous_postal_code: Mapped[str | None] = mapped_column(String(20))
    previous_city: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # proposed | confirmed | rejected
    proposed_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]


class Guardian(Base):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    name: Mapped[str] = mapped_column(String(200))
    personnummer: Mapped[str | None] = mapped_column(String(13))
    relation: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)

    child: Mapped[Child] = relationship(back_populates="guardians")


class ImportSource(Base):
    """An e-service that delivers to the inbox; silence and gaps are watched per source."""

    __tablename__ = "import_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    registered_at: Mapped[datetime]
    auto_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    silence_limit_hours: Mapped[int] = mapped_column(Integer, default=72)
    last_import_at: Mapped[datetime | None]
    highest_sequence: Mapped[int | None] = mapped_column(Integer)


class Alarm(Base):
    """Something a person must look at: silence, gaps, unreadable files, conflicts."""

    __tablename__ = "alarms"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str | None] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    quarantine_file: Mapped[str | None] = mapped_column(String(500))
    raw_content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    partial: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When a quarantined file arrived in the inbox (its modification time): the receipt
    # time of a report registered from it by hand.
    file_arrived_at: Mapped[datetime | None]


Index("ix_alarms_open_key", Alarm.kind, Alarm.key, Alarm.closed_at)
