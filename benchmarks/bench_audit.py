"""`mottagning audit verify` at scale (issue 18): incremental verification of 1,000 new
events on a large log against a small one (target ≤ 2×), and peak memory of a full and an
incremental verification at both sizes (constant memory: target ≤ 1.5×).

The logs are built once by Core bulk insert of valid chained events (realistic actions and
details, a checkpoint anchor every 1,000 events as the program keeps them), verified in
full once (that stores the verified point, as a first `audit verify` does) and cached in
benchmarks/.cache/. Each measurement copies a cached database, appends 1,000 events through
`audit.record` in transactions of 10 (anchored at each commit like real work) and verifies
in a fresh process, so its peak RSS is its own. Sizes: MOTTAGNING_BENCH_AUDIT_SMALL
(default 12,000, as in the issue) and MOTTAGNING_BENCH_AUDIT_LARGE (default 2,000,000; the
issue's 12 M takes about six times as long to build and verify in full once).

Usage: python benchmarks/bench_audit.py
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

# Synthetic data only: a fixed database key and audit key, no keyring, no syslog.
os.environ.setdefault("MOTTAGNING_DB_KEY", "5a" * 32)
os.environ.setdefault("MOTTAGNING_AUDIT_KEY", "bench-audit-key")
os.environ.setdefault("MOTTAGNING_AUDIT_SYSLOG", "0")
os.environ.pop("MOTTAGNING_AUDIT_WITNESS_FILE", None)

from sqlalchemy import insert, select  # noqa: E402

from mottagning.audit import chain as audit  # noqa: E402
from mottagning.audit.anchor import (  # noqa: E402
    ANCHOR_FILE_SUFFIX,
    CHECKPOINT_EVERY,
    DATABASE_ID_SETTING,
    anchor_mac,
    audit_key,
    key_id,
)
from mottagning.audit.verification import record_verified, verify_audit  # noqa: E402
from mottagning.db.database import open_database  # noqa: E402
from mottagning.models import AuditEvent, AuditHead, Setting  # noqa: E402
from mottagning.models.records import AuditAnchor  # noqa: E402

CACHE = Path(__file__).with_name(".cache")
FORMAT = 1  # bump when the built log changes shape
SMALL = int(os.environ.get("MOTTAGNING_BENCH_AUDIT_SMALL", "12000"))
LARGE = int(os.environ.get("MOTTAGNING_BENCH_AUDIT_LARGE", "2000000"))
NEW_EVENTS = 1000
START = datetime(2020, 1, 1, 7, 0, tzinfo=UTC)
BATCH = 10_000
DATABASE_ID = "bench-audit-0001"

# What a unit's log is made of: mostly reads and answers, some registrations and decisions.
ACTIONS = [
    ("item_opened", "queue_item", 30), ("assessment_answered", "assessment", 25),
    ("queue_listed", None, 10), ("report_registered", "report", 8), ("status_changed", "queue_item", 8),
    ("decision_proposed", "decision", 4), ("letter_issued", "letter", 4),
    ("item_assigned", "queue_item", 4), ("assessment_finished", "assessment", 4),
    ("audit_listed", None, 3),
]


def _details(rng: random.Random, action: str) -> dict:
    if action == "assessment_answered":
        return {"question": f"q{rng.randrange(1, 22)}", "answer": rng.choice(["ja", "nej", "vet_ej"])}
    if action == "status_changed":
        return {"from": "new", "to": rng.choice(["protection_assessed", "initial_assessment"])}
    if action == "queue_listed":
        return {"rows": rng.randrange(1, 60), "filter": rng.choice(["alla", "mina", "akuta"])}
    if action == "report_registered":
        return {"channel": rng.choice(["e_service", "telefon", "brev"]), "children": rng.randrange(1, 4)}
    return {"version": rng.randrange(1, 5)}


def _cache_path(events: int) -> Path:
    return CACHE / f"audit-v{FORMAT}-{events}.db"


def build(events: int) -> Path:
    """A log of `events` valid chained events with checkpoint anchors, verified in full once."""
    path = _cache_path(events)
    if path.exists() and Path(str(path) + ANCHOR_FILE_SUFFIX).exists():
        return path
    CACHE.mkdir(exist_ok=True)
    building = path.with_suffix(".building")
    for leftover in CACHE.glob(building.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    database = open_database(f"sqlite:///{building}")
    rng = random.Random(events)
    weights = [w for _, _, w in ACTIONS]
    with database.transaction() as session:
        session.add(Setting(key=DATABASE_ID_SETTING, value={"value": DATABASE_ID}))
    key = audit_key(DATABASE_ID, create=True)
    assert key is not None
    prev, event_id, when = audit.GENESIS, 0, START
    step = timedelta(days=6 * 365) / events
    while event_id < events:
        rows, anchors = [], []
        for _ in range(min(BATCH, events - event_id)):
            event_id += 1
            when += step
            action, entity_type, _ = rng.choices(ACTIONS, weights)[0]
            occurred_at = when
            row = dict(id=event_id, occurred_at=occurred_at, user_id=None,
                       actor=f"user{rng.randrange(1, 40)}", action=action, entity_type=entity_type,
                       entity_id=rng.randrange(1, events) if entity_type else None,
                       child_id=rng.randrange(1, events // 3 + 2), details=_details(rng, action),
                       prev_hash=prev)
            row["hash"] = audit.event_hash(
                prev_hash=prev, occurred_at=occurred_at, user_id=None, actor=row["actor"],
                action=action, entity_type=entity_type, entity_id=row["entity_id"],
                child_id=row["child_id"], details=row["details"])
            prev = row["hash"]
            rows.append(row)
            if event_id % CHECKPOINT_EVERY == 0 or event_id == events:
                anchors.append(dict(created_at=occurred_at, event_id=event_id, head_hash=prev,
                                    key_id=key_id(key), checkpoint=True,
                                    mac=anchor_mac(key, database_id=DATABASE_ID, event_id=event_id,
                                                   head_hash=prev, created_at=occurred_at)))
        with database.engine.begin() as connection:
            connection.execute(insert(AuditEvent.__table__), rows)
            connection.execute(insert(AuditAnchor.__table__), anchors)
        if event_id % 200_000 < BATCH:
            print(f"  {event_id:,} / {events:,} events, {time.perf_counter() - started:.0f} s", flush=True)
    with database.engine.begin() as connection:
        connection.execute(insert(AuditHead.__table__), [dict(id=1, last_event_id=event_id, last_hash=prev)])
    # One event through the program writes the newest anchor and the anchor file.
    with database.transaction() as session:
        audit.record(session, actor="bench", user_id=None, action="audit_listed", now=when + step)
    database.dispose()
    full = _measure(building, "full")
    (CACHE / f"{path.name}.full.json").write_text(json.dumps(full))
    for suffix in ("", ANCHOR_FILE_SUFFIX):
        os.replace(str(building) + suffix, str(path) + suffix)
    print(f"  built {events:,} events in {time.perf_counter() - started:.0f} s "
          f"(full verification {full['ms'] / 1000:.0f} s, {full['rss_mb']:.0f} MB)", flush=True)
    return path


def _measure(path: Path, mode: str) -> dict:
    """Run one verification in a fresh process; its wall time and its own peak RSS."""
    result = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"verification in {path} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _child(mode: str, path: str) -> int:
    database = open_database(f"sqlite:///{path}", migrate=False)
    timings = []
    for _ in range(1 if mode == "full" else 3):
        with database.transaction() as session:
            began = time.perf_counter()
            verification = verify_audit(session, full=mode == "full")
            timings.append((time.perf_counter() - began) * 1000)
            if not verification.ok:
                print(verification, file=sys.stderr)
                return 1
            if mode == "full":
                record_verified(session, verification, actor="bench", user_id=None)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": min(timings), "rss_mb": rss_mb,
                      "events": verification.chain.events_checked, "full": verification.full}))
    return 0


def _with_new_events(cached: Path, folder: Path) -> Path:
    """A copy of the cached log with NEW_EVENTS appended by the program, 10 per commit."""
    copy = folder / cached.name
    for suffix in ("", ANCHOR_FILE_SUFFIX):
        shutil.copyfile(str(cached) + suffix, str(copy) + suffix)
    database = open_database(f"sqlite:///{copy}", migrate=False)
    with database.engine.connect() as connection:
        last = connection.execute(select(AuditEvent.occurred_at).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    rng = random.Random(7)
    for start in range(0, NEW_EVENTS, 10):
        with database.transaction() as session:
            for offset in range(10):
                action, entity_type, _ = rng.choice(ACTIONS)
                audit.record(session, actor="user1", user_id=None, action=action,
                             entity_type=entity_type, entity_id=rng.randrange(1, 1000) if entity_type else None,
                             child_id=rng.randrange(1, 1000), details=_details(rng, action),
                             now=last + timedelta(seconds=start + offset + 1))
    database.dispose()
    return copy


def main() -> int:
    from _results import record

    print(f"audit logs: {SMALL:,} and {LARGE:,} events (built once, cached in {CACHE})", flush=True)
    small_db, large_db = build(SMALL), build(LARGE)
    with tempfile.TemporaryDirectory(dir=CACHE) as temp:
        small = _measure(_with_new_events(small_db, Path(temp)), "incremental")
    with tempfile.TemporaryDirectory(dir=CACHE) as temp:
        large = _measure(_with_new_events(large_db, Path(temp)), "incremental")
    for measured in (small, large):
        assert not measured["full"] and measured["events"] >= NEW_EVENTS, measured
    sizes = f"{SMALL:,} vs {LARGE:,} events"
    record(f"audit verify: incremental, {NEW_EVENTS:,} new events, large vs small log",
           small_ms=small["ms"], large_ms=large["ms"], target=2.0, note=sizes)
    record("audit verify: incremental, peak memory (MB, not ms), large vs small log",
           small_ms=small["rss_mb"], large_ms=large["rss_mb"], target=1.5,
           note=f"{sizes}; peak RSS of the verifying process in MB")
    full_small = json.loads((CACHE / f"{small_db.name}.full.json").read_text())
    full_large = json.loads((CACHE / f"{large_db.name}.full.json").read_text())
    record("audit verify --full: peak memory (MB, not ms), large vs small log",
           small_ms=full_small["rss_mb"], large_ms=full_large["rss_mb"], target=1.5,
           note=f"{sizes}; peak RSS of the verifying process in MB")
    per_event_small = full_small["ms"] / full_small["events"] * 1000
    per_event_large = full_large["ms"] / full_large["events"] * 1000
    record("audit verify --full: time per event (µs, not ms), large vs small log",
           small_ms=per_event_small, large_ms=per_event_large, target=None,
           note=f"{sizes}; orientation: {full_large['ms'] / 1000:.0f} s for the large log")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.exit(_child(sys.argv[2], sys.argv[3]))
    sys.exit(main())
