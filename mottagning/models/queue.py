"""The queue: one item per child and report."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mottagning.models.base import Base
from mottagning.rules.urgency import next_due, urgency_class

if TYPE_CHECKING:  # relationships across area modules
    from mottagning.models.access import User
    from mottagning.models.intake import Child, Report


class QueueItem(Base):
    """One child in one report: the unit of work with its own deadlines and status."""

    __tablename__ = "queue_items"
    __table_args__ = (
        UniqueConstraint("report_id", "child_id"),
        # each tier of the queue is a range of these (rules.urgency.tier_ranges): a page is a
        # bounded range scan, with or without the "Mina ärenden" filter
        Index("ix_queue_items_urgency", "urgency_class", "next_due", "id"),
        Index("ix_queue_items_assigned_urgency", "assigned_to_id", "urgency_class", "next_due", "id"),
        Index("ix_queue_items_child_urgency", "child_id", "urgency_class"),
        # mass-report bursts are found among the last days' items without reading them
        Index("ix_queue_items_received_urgency", "received_at", "urgency_class", "child_id"),
    )

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
    updated_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    urgency_class: Mapped[int] = mapped_column(SmallInteger)
    """`rules.urgency.urgency_class`, kept current on every flush (see below)."""
    next_due: Mapped[datetime]
    """`rules.urgency.next_due`: the deadline the queue orders by, kept current on every flush."""

    report: Mapped[Report] = relationship(back_populates="items")
    child: Mapped[Child] = relationship(back_populates="items")
    assigned_to: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def flags(self) -> list[str]:
        return flag_names(self.flag_immediate_danger, self.flag_violence, self.flag_repeat,
                          self.flag_data_quality)


def flag_names(immediate_danger: bool, violence: bool, repeat: bool, data_quality: bool) -> list[str]:
    """The flags set on a queue item, in the order they are shown."""
    names = (("immediate_danger", immediate_danger), ("violence", violence), ("repeat", repeat),
             ("data_quality", data_quality))
    return [name for name, on in names if on]


@event.listens_for(QueueItem, "before_insert")
@event.listens_for(QueueItem, "before_update")
def _keep_urgency_keys(_mapper: object, _connection: object, item: QueueItem) -> None:
    """The stored urgency keys follow the item in the same flush as any change to it."""
    item.urgency_class = int(urgency_class(status=item.status,
                                           immediate_danger=bool(item.flag_immediate_danger)))
    item.next_due = next_due(status=item.status, protection_due=item.protection_due,
                             decision_due=item.decision_due,
                             decision_due_extended=item.decision_due_extended)
