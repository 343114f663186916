"""Settings kept in the database itself (they travel with the data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.models import Setting
from mottagning.rules.permissions import Action

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


INBOX_KEY = "inbox_path"
INBOX_SCAN_SECONDS_KEY = "inbox_scan_seconds"


def inbox_path(session: Session) -> str | None:
    """The e-service inbox the application watches (a unit-wide setting)."""
    return get_setting(session, INBOX_KEY)


def set_inbox_path(session: Session, actor: Actor, path: str | None) -> None:
    """Set (or clear) the watched inbox; system administrators only, audited."""
    actor.require(Action.MANAGE_SETTINGS)
    previous = inbox_path(session)
    put_setting(session, INBOX_KEY, path)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="setting_changed",
        details={"key": INBOX_KEY, "from": previous, "to": path},
    )
