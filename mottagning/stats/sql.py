"""The few expressions that SQLite and PostgreSQL spell differently, and buckets as a
VALUES table, so every figure stays one SQL statement on both databases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, cast, func, literal, select, union_all
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


def yyyymmdd(session: Session, value: Any) -> ColumnElement[int]:
    """A date or timestamp as the integer YYYYMMDD (timestamps by their UTC date)."""
    if dialect(session) == "sqlite":
        # Dates and UTC timestamps are stored as ISO text ('2025-03-14', '2025-03-14 09:30:…'):
        # their first ten characters without the dashes, half the cost of strftime's parsing
        # on every item of a year.
        return cast(func.replace(func.substr(value, 1, 10), "-", ""), Integer)
    return cast(func.to_char(value, "YYYYMMDD"), Integer)


def json_elements(session: Session, json_column: Any) -> Any:
    """A table-valued function over a JSON list of strings, with one column `value`."""
    if dialect(session) == "sqlite":
        return func.json_each(json_column).table_valued("value")
    return func.json_array_elements_text(json_column).table_valued("value")


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
