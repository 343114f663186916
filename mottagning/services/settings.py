"""Settings kept in the database itself (they travel with the data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mottagning.models import Setting

DEMO_KEY = "demo"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value.get("value", default)


def put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value={"value": value}))
    else:
        row.value = {"value": value}
    session.flush()


def is_demo(session: Session) -> bool:
    return bool(get_setting(session, DEMO_KEY, False))
