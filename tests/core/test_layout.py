"""The layout keeps its promises: areas never import the CLI dispatcher or the GUI, the core
has no import cycle, and each rule is written in one place only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "mottagning"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in CORE.rglob("*.py") if "migrations" not in p.parts}


def _top_level_imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Modules imported when `path` is imported: module-level statements only (an import
    inside a function or under TYPE_CHECKING runs later or never)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {name for name in found if name in known}


def test_no_area_imports_the_cli_dispatcher_or_the_gui() -> None:
    offenders = []
    for name, path in _modules().items():
        if name == "mottagning.cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for module in modules:
                if module == "mottagning.cli" or module.split(".")[0] in ("ui", "PySide6"):
                    offenders.append(f"{name}: {module}")
    assert offenders == []


def test_the_core_has_no_import_cycle() -> None:
    known = _modules()
    graph = {name: _top_level_imports(path, known) - {name} for name, path in known.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            # importing a package's submodule runs the package first: not a cycle
            if node.startswith(target + "."):
                continue
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


# Each rule once: (what, pattern, the one file allowed to hold it).
ONE_PLACE = (
    ("the applicable decision deadline", r"decision_due_extended\s+or\b", "mottagning/rules/deadlines.py"),
    ("the decided statuses", r"\(\s*Status\.(DECISION_SIGNED|CLOSED),\s*Status\.(DECISION_SIGNED|CLOSED)\s*\)",
     "mottagning/rules/status.py"),
    ("the decision outcomes", r"class \w*Outcome\(StrEnum\):\n\s+(\"\"\".*?\"\"\"\s+)?INLEDA_UTREDNING",
     "mottagning/rules/outcomes.py"),
    ("the end of a local day", r"time\(23, 59, 59\)", "mottagning/rules/deadlines.py"),
)


def test_each_rule_is_written_in_one_place() -> None:
    copies = []
    for path in sorted(list(CORE.rglob("*.py")) + list((ROOT / "ui").rglob("*.py"))):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT).as_posix()
        for what, pattern, home in ONE_PLACE:
            if where != home and re.search(pattern, text, re.S):
                copies.append(f"{what}: {where}")
    assert copies == []
