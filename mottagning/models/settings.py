"""Settings kept in the database itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from mottagning.models.base import Base


class Setting(Base):
    """Key/value settings that belong to the database (demo marker, delegation table…).

    `version` counts the saves of a stored value (0 means nothing stored: the default
    applies), so a save over a value someone else changed meanwhile is refused.
    """

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
