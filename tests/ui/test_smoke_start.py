"""`mottagning --smoke-test` (what `make package` and the Windows build run after building):
the real program, headless, opens its window on a new encrypted database and quits by
itself with status 0; when it cannot start it says why on stderr instead of waiting for
someone to close a dialog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str, key: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MOTTAGNING_DB_KEY=key,
               MOTTAGNING_DB=f"sqlite:///{tmp_path / 'smoke.db'}", MOTTAGNING_AUDIT_SYSLOG="0",
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return subprocess.run(
        [sys.executable, "-c", "import sys; from ui.launcher import main; sys.exit(main())", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_the_program_starts_its_window_headless_and_quits_by_itself(tmp_path: Path) -> None:
    result = _run(tmp_path, "--smoke-test", key="11" * 32)
    assert result.returncode == 0, result.stderr
    assert "Provstart: fönstret visades." in result.stdout
    assert (tmp_path / "smoke.db").exists()


@pytest.mark.slow
def test_a_smoke_test_that_cannot_open_the_database_fails_on_stderr(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade", key="11" * 32).returncode == 0
    result = _run(tmp_path, "--smoke-test", key="22" * 32)  # the wrong key
    assert result.returncode == 1
    assert "Databasen kan inte öppnas" in result.stderr
    assert "Provstart" not in result.stdout
