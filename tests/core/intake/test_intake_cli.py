"""The import and alarms commands: public contracts for scripts and monitoring."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mottagning import cli


def test_import_json_has_exactly_the_contract_keys_and_alarms_check_exits_2(
    tmp_path: Path, samples_dir: Path, capsys
) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox, ignore=shutil.ignore_patterns("README*"))
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert cli.main(["--db", db, "alarms", "--check"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", db, "import", str(inbox), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {"files_seen": 8, "registered": 6, "queue_items_created": 7, "duplicates": 1,
                       "quarantined": 1, "warnings": 1, "alarms_open": 2}
    assert cli.main(["--db", db, "alarms", "--json"]) == 0
    alarms = json.loads(capsys.readouterr().out)
    assert sorted(a["kind"] for a in alarms) == ["missing_submission", "unreadable_file"]
    assert all({"kind", "source", "opened_at", "detail"} <= set(a) for a in alarms)
    assert cli.main(["--db", db, "alarms", "--check"]) == 2


def test_import_of_a_missing_inbox_is_a_swedish_error(tmp_path: Path, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert cli.main(["--db", db, "import", str(tmp_path / "finns-inte")]) == 1
    assert "finns inte" in capsys.readouterr().err


def test_unreachable_database_exits_1_and_leaves_the_inbox_alone(tmp_path: Path, samples_dir: Path, capsys) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox, ignore=shutil.ignore_patterns("README*"))
    before = sorted(p.name for p in inbox.iterdir())
    assert cli.main(["--db", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
                     "import", str(inbox)]) == 1
    assert "kan inte öppnas" in capsys.readouterr().err
    assert sorted(p.name for p in inbox.iterdir()) == before


def test_usage_errors_are_swedish_and_exit_2(capsys) -> None:
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["users", "add", "x"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "användning: mottagning users add" in err
    assert "fel: dessa argument krävs: --name, --role" in err
