"""The core stays Qt-free: `mottagning/` runs on a server without PySide6 or the GUI."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "mottagning"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def _imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "__import__" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.append(node.args[0].value)
    return names


def test_core_never_imports_qt_or_the_gui():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            if module.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(CORE.parent)}: {module}")
    assert offenders == []
