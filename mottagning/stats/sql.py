"""The few expressions that SQLite and PostgreSQL spell differently, and buckets as a
VALUES table, so every figure stays one SQL statement on both databases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from mottagning.models.base import UTCDateTime


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Elapsed days (fractional) from `earlier` to `later`."""
    if dialect(session) == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def buckets(name: str, rows: list[tuple[str, datetime, datetime]]) -> Any:
    """(label, bucket_start, bucket_end) rows as a small table to join timestamps against
    (SELECTs joined by UNION ALL: SQLite has no aliased VALUES in FROM)."""
    selects = [
        select(literal(label, String).label("label"),
               literal(start, UTCDateTime()).label("bucket_start"),
               literal(end, UTCDateTime()).label("bucket_end"))
        for label, start, end in rows
    ]
    return union_all(*selects).subquery(name)
