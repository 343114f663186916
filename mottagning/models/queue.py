"""The queue: one item per child and report."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mottagning.models.base import Base

if TYPE_CHECKING:  # relationships across area modules
    from mottagning.models.access import User
    from mottagning.models.intake import Child, Report


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
