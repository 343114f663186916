"""Print the table of benchmarks/results.json and exit 1 if any measurement missed its target."""

from __future__ import annotations

import json
import sys

from _results import RESULTS


def main() -> int:
    if not RESULTS.exists():
        print("no results recorded")
        return 1
    rows = json.loads(RESULTS.read_text())
    print(f"\n{'measurement':<60} {'small':>13} {'large':>13} {'ratio':>8} {'target':>8}")
    missed = 0
    for r in rows:
        target = "—" if r["target"] is None else f"≤ {r['target']:g}×"
        flag = "ok" if r["met"] else "MISSED"
        missed += not r["met"]
        print(
            f"{r['name']:<60} {r['small_ms']:>10.1f} ms {r['large_ms']:>10.1f} ms "
            f"{r['ratio']:>7.2f}× {target:>8} {flag}"
        )
    print(f"\n{len(rows)} measurements, {missed} missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
