"""Fuzz the e-service parser with inbox files made by mutating the sample inbox (tests/data/inbox).

    .venv/bin/python benchmarks/fuzz_intake.py [--count 10000] [--seed 1]

Prints how many generated files were parseable (and how many of those carried a warning),
unreadable, and crashed. A crash is an exception escaping `parse_submission` or one caught
by its last-resort guard; an anonymous reporter's identity found in a result counts as a
leak. The exit status is 1 if there was any crash or leak. The time per file is recorded in
benchmarks/results.json for orientation (no target).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

from _results import record  # noqa: E402

from mottagning.intake.parse import parse_submission  # noqa: E402
from mottagning.intake.submission import ParsedSubmission  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "inbox"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
IDENTITY = ("Should Not Be Kept", "070-999 99 99", "secret@example.se")
GUARD_REASON = "An unexpected error"


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**63, 10**30, rng.randrange(-1000, 1000)])
    if kind == 3:
        return rng.choice([0.5, -1e300, 1e-300, 3.0])
    if kind == 4:
        return rng.choice(["", " ", "2026-13-45", "20150312-2382", "\u0000", "\ud800", "åäö", "Z" * 300])
    if kind == 5:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(12)))
    if kind == 6:
        return rng.choice(["2030-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "skola", "anonym"])
    if kind == 7:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["name", "x", "category", "street"]): random_value(rng, depth + 1)
            for _ in range(rng.randrange(4))}


def containers(value: Any, found: list[Any]) -> list[Any]:
    if isinstance(value, dict | list):
        found.append(value)
        for inner in value.values() if isinstance(value, dict) else value:
            containers(inner, found)
    return found


def mutate_structure(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for _ in range(rng.randrange(1, 5)):
        target = rng.choice(containers(document, []))
        if not target:
            continue
        key = rng.choice(list(target)) if isinstance(target, dict) else rng.randrange(len(target))
        if rng.random() < 0.4:
            del target[key]
        else:
            target[key] = random_value(rng)
    return document


def mutate_bytes(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    choice = rng.randrange(6)
    if choice == 0 and data:
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif choice == 1:
        del data[rng.randrange(len(data) + 1):]
    elif choice == 2:
        position = rng.randrange(len(data) + 1)
        data[position:position] = rng.randbytes(rng.randrange(1, 16))
    elif choice == 3:
        data[0:0] = b"\xef\xbb\xbf"
    elif choice == 4:
        levels = rng.choice([31, 33, 1000, 100_000])
        position = raw.rfind(b"}")
        data[position:position] = b',"deep":' + b"[" * levels + b"]" * levels
    else:
        data = bytearray(raw.decode("utf-8").encode("latin-1", "replace"))
    return bytes(data)


def generate(samples: list[tuple[str, bytes, Any]], rng: random.Random) -> tuple[str, bytes]:
    name, raw, document = rng.choice(samples)
    if document is not None and rng.random() < 0.7:
        return name, json.dumps(mutate_structure(document, rng), ensure_ascii=rng.random() < 0.5).encode(
            "utf-8", "surrogatepass"
        )
    return name, mutate_bytes(raw, rng)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    samples = []
    for path in sorted(SAMPLES.glob("*.json")):
        raw = path.read_bytes()
        try:
            samples.append((path.name, raw, json.loads(raw)))
        except ValueError:
            samples.append((path.name, raw, None))

    parseable = warned = unreadable = crashed = leaks = 0
    started = time.perf_counter()
    for _ in range(arguments.count):
        name, raw = generate(samples, rng)
        try:
            result = parse_submission(raw, file_name=name, received_at=NOW, now=NOW)
        except Exception as error:  # noqa: BLE001 - counting crashes is the point
            crashed += 1
            print(f"krasch ({name}): {error!r}", file=sys.stderr)
            continue
        if isinstance(result, ParsedSubmission):
            parseable += 1
            warned += bool(result.warnings)
            if result.reporter.anonymous:
                kept = repr(result) + result.stored_original.decode("utf-8", "replace")
                leaks += any(secret in kept for secret in IDENTITY)
        elif result.reason_en.startswith(GUARD_REASON):
            crashed += 1
        else:
            unreadable += 1
            reporter = (result.partial or {}).get("reporter")
            if isinstance(reporter, dict) and reporter.get("anonymous") is True:
                kept = json.dumps(result.partial, ensure_ascii=False)
                leaks += any(secret in kept for secret in IDENTITY)
    elapsed = time.perf_counter() - started
    print(f"filer: {arguments.count} (frö {arguments.seed}, {elapsed:.1f} s)")
    print(f"läsbara: {parseable} (varav med varning: {warned})")
    print(f"oläsbara (karantän): {unreadable}")
    print(f"kraschade: {crashed}")
    print(f"anonyma anmälare som läckt: {leaks}")
    per_file = elapsed / arguments.count * 1000
    record(f"fuzz intake: {arguments.count:,} mutated files, ms per file (crashes {crashed}, leaks {leaks})",
           small_ms=per_file, large_ms=per_file, target=None,
           note="orientation; the script exits 1 on any crash or leak")
    return 1 if crashed or leaks else 0


if __name__ == "__main__":
    sys.exit(main())
