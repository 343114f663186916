"""One place where every benchmark records a measurement: `benchmarks/results.json`, a JSON
list with one object per measurement (`name`, `ratio`, `target`, `small_ms`, `large_ms`, and
`met`). `make bench` empties the file before the first script; each script appends. Timing is
never a pass/fail test in the suite: `make bench` reads `met` and exits non-zero at the end
if any measurement missed its target.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS = Path(os.environ.get("MOTTAGNING_BENCH_RESULTS", Path(__file__).with_name("results.json")))


def record(
    name: str,
    *,
    small_ms: float,
    large_ms: float,
    target: float | None,
    ratio: float | None = None,
    note: str = "",
) -> dict:
    """Append one measurement (ratio = large / small unless given; target None = orientation
    only, always met) and print it as a table row."""
    if ratio is None:
        ratio = large_ms / small_ms if small_ms > 0 else float("inf")
    met = target is None or ratio <= target
    entry = {
        "name": name,
        "ratio": round(ratio, 3),
        "target": target,
        "small_ms": round(small_ms, 3),
        "large_ms": round(large_ms, 3),
        "met": met,
    }
    if note:
        entry["note"] = note
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    existing.append(entry)
    RESULTS.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
    target_text = "—" if target is None else f"≤ {target:g}×"
    print(
        f"{name:<60} {small_ms:>10.1f} ms {large_ms:>10.1f} ms {ratio:>7.2f}× "
        f"{target_text:>8} {'ok' if met else 'MISSED'}"
    )
    return entry
