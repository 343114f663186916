"""Settings kept in the database itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base


class Setting(Base):
    """Key/value settings that belong to the database (demo marker, delegation table…)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
