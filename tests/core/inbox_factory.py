"""Writing e-service submissions into a test inbox."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "inbox"  # the sample inbox, copied


def base_submission() -> dict[str, Any]:
    return json.loads((DATA / "0001-skola-forsummelse.json").read_text(encoding="utf-8"))


def submission(sequence: int, *, source: str = "etjanst-test", **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(base_submission())
    document["source"] = source
    document["sequence"] = sequence
    document["submission_id"] = f"{source.upper()}-{sequence:06d}"
    document["children"][0]["personnummer"] = None
    document["children"][0]["name"] = f"Barn Nummer{sequence}"
    document["children"][0]["birth_date"] = "2015-03-12"
    document.update(changes)
    return document


def write(inbox: Path, name: str, document: dict[str, Any]) -> Path:
    path = inbox / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def fill_inbox(inbox: Path, count: int, *, source: str = "etjanst-test") -> list[str]:
    inbox.mkdir(parents=True, exist_ok=True)
    ids = []
    for sequence in range(1, count + 1):
        document = submission(sequence, source=source)
        write(inbox, f"{sequence:05d}.json", document)
        ids.append(document["submission_id"])
    return ids
