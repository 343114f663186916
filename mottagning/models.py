"""The database model: every table of the application, in SQLAlchemy 2.0 typed style.

This is the one module that imports all models, so Alembic sees the whole schema.
Datetimes are stored in UTC and come back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Setting(Base):
    """Key/value settings that belong to the database (demo marker, delegation table…)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    os_account: Mapped[str | None] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


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


class QueueItem(Base):
    """One child in one report: the unit of work with its own deadlines and status."""

    __tablename__ = "queue_items"
    __table_args__ = (UniqueConstraint("report_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    protection_due: Mapped[datetime] = mapped_column(index=True)
    decision_due: Mapped[datetime] = mapped_column(index=True)
    decision_due_extended: Mapped[datetime | None]
    flag_violence: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_immediate_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_data_quality: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(40))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    report: Mapped[Report] = relationship(back_populates="items")
    child: Mapped[Child] = relationship(back_populates="items")
    assigned_to: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def flags(self) -> list[str]:
        names = (
            ("immediate_danger", self.flag_immediate_danger),
            ("violence", self.flag_violence),
            ("repeat", self.flag_repeat),
            ("data_quality", self.flag_data_quality),
        )
        return [name for name, on in names if on]


class AuditEvent(Base):
    """Append-only, hash-chained record of every change and every opening of a case."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    child_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row that serialises appends to the audit chain (locked per append)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


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


Index("ix_alarms_open_key", Alarm.kind, Alarm.key, Alarm.closed_at)


class Draft(Base):
    """Autosaved text of an unfinished form, kept until the action it belongs to commits."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime]


# The areas' own tables live beside their code; importing them here lets Alembic and
# `Base.metadata` see the whole schema from this one module.
from mottagning import (  # noqa: E402, F401
    model_assessment,
    model_decisions,
    model_letters,
    model_records,
    model_security,
)
