"""An import killed with SIGKILL at a random moment, again and again, loses nothing and
registers nothing twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from mottagning.db.database import Database
from mottagning.models import Report
from tests.core.inbox_factory import fill_inbox

KILLS = 20
FILES = 400


def _import_command(database: Database, inbox: Path) -> list[str]:
    return [sys.executable, "-m", "mottagning.cli", "--db", database.url, "import", str(inbox)]


def test_sigkill_at_random_points_registers_every_submission_exactly_once(
    database: Database, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    ids = fill_inbox(inbox, FILES)
    rng = random.Random(20261124)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    killed = 0
    for _ in range(KILLS):
        process = subprocess.Popen(_import_command(database, inbox), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.5, 1.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        if len(list(inbox.glob("*.json"))) < 20:
            # Keep every kill meaningful: more work arrives.
            ids += fill_inbox_extra(inbox, start=len(ids) + 1, count=40)
    final = subprocess.run(_import_command(database, inbox), env=env, capture_output=True,
                           text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert killed >= KILLS // 2, f"only {killed} runs were killed mid-import: raise FILES"
    with database.transaction() as session:
        registered = session.execute(
            select(Report.submission_id, func.count()).group_by(Report.submission_id)
        ).all()
    counts = dict(registered)
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}
    assert not list(inbox.glob("*.json"))
    assert len(list((inbox / "arkiv").iterdir())) == len(ids)


def fill_inbox_extra(inbox: Path, *, start: int, count: int) -> list[str]:
    from tests.core.inbox_factory import submission, write

    ids = []
    for sequence in range(start, start + count):
        document = submission(sequence)
        write(inbox, f"{sequence:05d}.json", document)
        ids.append(document["submission_id"])
    return ids
