"""Importing 1,000 inbox files should take at most 12 x importing 100 (measured in one run).

Records both times and the ratio (benchmarks/results.json). The files are made from the
repository's own sample (tests/data/inbox). Runs on a fresh embedded database in a temp
folder (a throwaway key, no keyring), or on the database given by MOTTAGNING_BENCH_DB
(e.g. a PostgreSQL URL) — it must be empty.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("MOTTAGNING_DB_KEY", secrets.token_hex(32))
os.environ.setdefault("MOTTAGNING_AUDIT_SYSLOG", "0")

from _results import record  # noqa: E402

from mottagning.db.database import open_database  # noqa: E402
from mottagning.intake.importer import Importer  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "inbox" / "0001-skola-forsummelse.json"
TARGET = 12.0


def fill(inbox: Path, count: int, *, source: str) -> None:
    inbox.mkdir(parents=True)
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for sequence in range(1, count + 1):
        base["source"] = source
        base["sequence"] = sequence
        base["submission_id"] = f"{source}-{sequence:06d}"
        base["children"][0]["personnummer"] = None
        base["children"][0]["name"] = f"Barn {source} {sequence}"
        # Distinct children are born on different days (a register spreads over ~6,500
        # birth dates); all on one day made the near-duplicate check see every child.
        base["children"][0]["birth_date"] = (date(2008, 1, 1) + timedelta(days=sequence % 6500)).isoformat()
        (inbox / f"{sequence:06d}.json").write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")


def timed_import(database, inbox: Path) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    summary = Importer(database, inbox).run_once()
    elapsed = time.perf_counter() - start
    assert summary.registered == len(list((inbox / "arkiv").iterdir())), summary
    return elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = os.environ.get("MOTTAGNING_BENCH_DB") or f"sqlite:///{root / 'bench.db'}"
        database = open_database(url, migrate=True)
        fill(root / "small", 100, source="bench-small")
        fill(root / "large", 1000, source="bench-large")
        small = timed_import(database, root / "small")
        large = timed_import(database, root / "large")
        database.dispose()
    print(f"import of 100 files:   {small:7.2f} s  ({small / 100 * 1000:.1f} ms/file)")
    print(f"import of 1,000 files: {large:7.2f} s  ({large / 1000 * 1000:.1f} ms/file)")
    entry = record("import: 1,000 inbox files vs 100", small_ms=small * 1000, large_ms=large * 1000,
                   target=TARGET)
    return 0 if entry["met"] else 1

if __name__ == "__main__":
    sys.exit(main())
