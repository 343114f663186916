"""Settings are declared once as data (resources/settings.toml), validated on load, and the
services read their defaults from there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.models import AuditEvent
from mottagning.settings import (
    SettingsFileError,
    change_setting,
    declared_settings,
    load_declarations,
    put_setting,
    setting,
)

ROOT = Path(__file__).resolve().parents[2]


def test_every_declared_default_is_valid_and_described_in_swedish() -> None:
    declared = declared_settings()
    assert {"idle_lock_minutes", "feedback_days", "decision_delegation", "gallring.rules"} <= set(declared)
    for item in declared.values():
        assert item.check(item.default) == []
        assert item.description and item.description[0].isupper()


def test_a_broken_declaration_names_the_file_and_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[[setting]]\nkey = "x"\ntype = "int"\ndefault = "tio"\n'
                    'description = "X."\nrole = "admin"\n', encoding="utf-8")
    with pytest.raises(SettingsFileError, match=r"settings.toml, inställning 1 \(x\)"):
        load_declarations(path)
    path.write_text('[[setting]]\nkey = "y"\ntype = "colour"\ndefault = 1\n'
                    'description = "Y."\nrole = "admin"\n', encoding="utf-8")
    with pytest.raises(SettingsFileError, match="okänd typ colour"):
        load_declarations(path)


def test_defaults_come_from_the_declarations_and_a_table_merges_over_them(database: Database) -> None:
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 14
        assert setting(session, "mass_reports") == {"count": 5, "days": 7}
        put_setting(session, "mass_reports", {"count": 3})
        assert setting(session, "mass_reports") == {"count": 3, "days": 7}
        rules = setting(session, "gallring.rules")
        assert rules["kinds"]["report_without_investigation"]["years"] == 5


def test_an_undeclared_key_or_a_wrong_type_is_refused(database: Database) -> None:
    with database.transaction() as session:
        with pytest.raises(KeyError, match="not declared"):
            put_setting(session, "no_such_setting", 1)
        with pytest.raises(ValidationError, match="heltal"):
            put_setting(session, "feedback_days", "fjorton")
        with pytest.raises(ValidationError, match="högst 60"):
            put_setting(session, "idle_lock_minutes", 600)


def test_only_an_admin_changes_a_setting_and_never_one_the_program_sets(
    database: Database, admin: Actor, worker: Actor
) -> None:
    with database.transaction() as session:
        with pytest.raises(PermissionDenied):
            change_setting(session, worker, "feedback_days", 10)
        with pytest.raises(ValidationError, match="sätts av programmet"):
            change_setting(session, admin, "demo", True)
        change_setting(session, admin, "feedback_days", 10)
        assert setting(session, "feedback_days") == 10
        events = session.query(AuditEvent).filter_by(action="setting_changed").all()
        assert [e.details["key"] for e in events] == ["feedback_days"]


def _string_keys_read_in_the_core() -> set[str]:
    """Keys given to setting()/put_setting()/change_setting(), as literals or module constants."""
    keys: set[str] = set()
    for path in (ROOT / "mottagning").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("setting", "put_setting", "stored_setting", "change_setting")):
                for arg in node.args[1:3]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        keys.add(arg.value)
                    elif isinstance(arg, ast.Name) and arg.id in constants:
                        keys.add(constants[arg.id])
    return keys


def test_every_setting_the_code_reads_is_declared() -> None:
    used = _string_keys_read_in_the_core()
    assert "feedback_days" in used and "gallring.rules" in used
    assert used - set(declared_settings()) == set()
