"""A non-editable install has everything the program reads from files: the wheel built from
this tree carries every resource (settings, codes, forms, letter templates, fonts, icon) and
every Alembic revision, and its `mottagning` command starts the launcher.

The wheel is built from a copy of the tree (no build/ or egg-info left in the checkout) with
the venv's setuptools, without build isolation, so nothing is downloaded."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def _source_files(folder: str) -> set[str]:
    base = ROOT / folder
    return {
        path.relative_to(ROOT).as_posix()
        for path in base.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    tree = tmp_path_factory.mktemp("tree")
    for folder in ("mottagning", "ui"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=IGNORED)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(tree)],
        capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    (built,) = out.glob("mottagning-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_wheel_carries_every_resource_file(wheel: zipfile.ZipFile) -> None:
    resources = _source_files("mottagning/resources")
    assert {"mottagning/resources/settings.toml", "mottagning/resources/fonts/DejaVuSans.ttf",
            "mottagning/resources/letters/kallelse.toml",
            "mottagning/resources/icons/mottagning.svg"} <= resources
    assert any(name.startswith("mottagning/resources/forms/") for name in resources)
    missing = resources - set(wheel.namelist())
    assert not missing, f"not in the wheel: {sorted(missing)}"


def test_wheel_carries_every_migration(wheel: zipfile.ZipFile) -> None:
    migrations = _source_files("mottagning/migrations")
    revisions = {name for name in migrations if "/versions/" in name}
    assert "mottagning/migrations/versions/0001_initial_schema.py" in revisions
    missing = migrations - set(wheel.namelist())
    assert not missing, f"not in the wheel: {sorted(missing)}"


def test_wheel_resources_are_the_same_bytes_as_the_source(wheel: zipfile.ZipFile) -> None:
    font = "mottagning/resources/fonts/DejaVuSans.ttf"
    assert wheel.read(font) == (ROOT / font).read_bytes()


def test_wheel_command_starts_the_launcher_and_ships_no_tests(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert parser["console_scripts"]["mottagning"] == "ui.launcher:main"
    tops = {name.split("/")[0] for name in wheel.namelist() if "dist-info" not in name}
    assert tops == {"mottagning", "ui"}
