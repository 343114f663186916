"""Settings: declared once as data in resources/settings.toml (key, type, default, a Swedish
description, who may change them), the values a unit chose kept in the database (they
travel with the data).

`setting(session, key)` is the one way to read a value: the stored one, or the declared
default. A key that is not declared, or a value of the wrong type, is refused.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import ConcurrentEdit, MottagningError, ValidationError
from mottagning.models import Setting
from mottagning.paths import resource
from mottagning.rules.permissions import Action

DECLARATIONS = resource("settings.toml")
TYPES = {"int": int, "float": (int, float), "bool": bool, "text": str, "table": dict}
ROLES = ("admin", "system")

DEMO_KEY = "demo"
INBOX_KEY = "inbox_path"


class SettingChanged(ConcurrentEdit):
    """A setting saved by someone else since the screen showed it; `key` says which."""

    def __init__(self, key: str, *, theirs: Any, version: int):
        super().__init__(
            f"Någon annan har ändrat inställningen {key} sedan du öppnade den. "
            "Jämför din ändring med den nya och välj; ingenting sparades.",
            theirs=theirs, version=version)
        self.key = key


class SettingsFileError(MottagningError):
    """The declarations file is broken: the message names the file and the entry."""


@dataclass(frozen=True)
class Declared:
    key: str
    type: str
    default: Any
    description: str
    role: str
    minimum: float | None = None
    maximum: float | None = None

    def check(self, value: Any) -> list[str]:
        """What is wrong with `value` for this setting (Swedish), or nothing."""
        expected = TYPES[self.type]
        if isinstance(value, bool) and self.type in ("int", "float"):
            return [f"Inställningen {self.key} ska vara ett tal."]
        if not isinstance(value, expected):
            names = {"int": "ett heltal", "float": "ett tal", "bool": "ja eller nej",
                     "text": "en text", "table": "en tabell"}
            return [f"Inställningen {self.key} ska vara {names[self.type]}."]
        if self.type in ("int", "float"):
            if self.minimum is not None and value < self.minimum:
                return [f"Inställningen {self.key} ska vara minst {self.minimum:g}."]
            if self.maximum is not None and value > self.maximum:
                return [f"Inställningen {self.key} ska vara högst {self.maximum:g}."]
        return []


def load_declarations(path: Path = DECLARATIONS) -> dict[str, Declared]:
    """Read and validate the declarations; an error names the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsFileError(f"{path}: kan inte läsas ({exc}).") from exc
    declared: dict[str, Declared] = {}
    for number, entry in enumerate(data.get("setting", []), start=1):
        where = f"{path}, inställning {number} ({entry.get('key', '?')})"
        unknown = set(entry) - {"key", "type", "default", "description", "role", "min", "max"}
        if unknown:
            raise SettingsFileError(f"{where}: okända fält {', '.join(sorted(unknown))}.")
        missing = [f for f in ("key", "type", "default", "description", "role") if f not in entry]
        if missing:
            raise SettingsFileError(f"{where}: saknar {', '.join(missing)}.")
        if entry["type"] not in TYPES:
            raise SettingsFileError(f"{where}: okänd typ {entry['type']}.")
        if entry["role"] not in ROLES:
            raise SettingsFileError(f"{where}: okänd roll {entry['role']}.")
        if entry["key"] in declared:
            raise SettingsFileError(f"{where}: nyckeln finns redan.")
        item = Declared(entry["key"], entry["type"], entry["default"], entry["description"],
                        entry["role"], entry.get("min"), entry.get("max"))
        problems = item.check(item.default)
        if problems:
            raise SettingsFileError(f"{where}: standardvärdet duger inte: {problems[0]}")
        declared[item.key] = item
    return declared


@cache
def declared_settings() -> dict[str, Declared]:
    return load_declarations()


def declaration(key: str) -> Declared:
    try:
        return declared_settings()[key]
    except KeyError:
        raise KeyError(f"setting {key!r} is not declared in {DECLARATIONS}") from None


def _merged(default: Any, stored: Any) -> Any:
    if isinstance(default, dict) and isinstance(stored, dict):
        return {k: _merged(default.get(k), v) if k in default else v for k, v in stored.items()} | {
            k: v for k, v in default.items() if k not in stored}
    return stored


def setting(session: Session, key: str) -> Any:
    """The value in force: the stored one (a table merged over its default), else the default."""
    item = declaration(key)
    row = session.get(Setting, key)
    stored = None if row is None else row.value.get("value")
    if stored is None:
        return _copy(item.default)
    return _merged(_copy(item.default), stored) if item.type == "table" else stored


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def stored_setting(session: Session, key: str) -> Any:
    """Only what the unit stored (None when the default applies)."""
    declaration(key)
    row = session.get(Setting, key)
    return None if row is None else row.value.get("value")


def put_setting(session: Session, key: str, value: Any) -> None:
    """Store a value (None returns to the default). Checked against the declaration; the
    caller checks who may and writes the audit event (see `change_setting`)."""
    item = declaration(key)
    if value is not None:
        problems = item.check(value)
        if problems:
            raise ValidationError(problems)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value={"value": value}))
    else:
        row.value = {"value": value}
    session.flush()


def setting_version(session: Session, key: str) -> int:
    """How many times a value of `key` has been stored (0: never, the default applies)."""
    declaration(key)
    row = session.get(Setting, key)
    return 0 if row is None else row.version


def change_setting(session: Session, actor: Actor, key: str, value: Any, *,
                   expected_version: int | None = None) -> None:
    """A person changes a setting: only settings people may change, only with the right to
    change settings; audited with the old and new value.

    `expected_version` is the version the person's screen showed (see `setting_version`):
    if someone saved the setting since, nothing is stored and SettingChanged carries the
    newer value in force and its version.
    """
    item = declaration(key)
    if item.role == "system":
        raise ValidationError([f"Inställningen {key} sätts av programmet och kan inte ändras."])
    actor.require(Action.MANAGE_SETTINGS)
    current = setting_version(session, key)
    if expected_version is not None and current != expected_version:
        raise SettingChanged(key, theirs=setting(session, key), version=current)
    previous = stored_setting(session, key)
    put_setting(session, key, value)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="setting_changed",
        entity_type="setting", details={"key": key, "from": previous, "to": value},
    )


@dataclass(frozen=True)
class SettingView:
    """One setting as the administrator's screen shows it."""

    key: str
    type: str
    description: str
    value: Any
    default: Any
    changed: bool
    version: int = 0


def list_settings(session: Session, actor: Actor) -> list[SettingView]:
    """Every setting a person may change, with its value in force (system administrators)."""
    actor.require(Action.MANAGE_SETTINGS)
    return [SettingView(item.key, item.type, item.description, setting(session, item.key),
                        _copy(item.default), stored_setting(session, item.key) is not None,
                        setting_version(session, item.key))
            for item in declared_settings().values() if item.role != "system"]


def is_demo(session: Session) -> bool:
    return bool(setting(session, DEMO_KEY))


def inbox_path(session: Session) -> str | None:
    """The e-service inbox the application watches (a unit-wide setting)."""
    return setting(session, INBOX_KEY) or None


def set_inbox_path(session: Session, actor: Actor, path: str | None) -> None:
    """Set (or clear) the watched inbox; system administrators only, audited."""
    change_setting(session, actor, INBOX_KEY, path or None)
