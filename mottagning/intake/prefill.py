"""From what could be read of a quarantined file to a prefilled manual registration.

The shape returned is the registration form's draft (see ui/intake/register_dialog.py): a person
finishes what the file left unclear instead of typing the report again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mottagning.rules.codes import codes


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _address(person: dict[str, Any]) -> dict[str, str]:
    address = person.get("address")
    address = address if isinstance(address, dict) else {}
    return {key: _text(address.get(key)) for key in ("street", "postal_code", "city")}


def _people(value: Any) -> list[dict[str, Any]]:
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


def draft_from_partial(partial: dict[str, Any] | None, *,
                       receipt: datetime | None = None) -> dict[str, Any]:
    """A registration draft from a quarantined file's readable parts (never raises).

    `receipt` is the file's recorded receipt time (services.quarantine.recorded_receipt);
    the form starts from it, not from the moment of registering by hand."""
    partial = partial if isinstance(partial, dict) else {}
    lists = codes()
    reporter = partial.get("reporter") if isinstance(partial.get("reporter"), dict) else {}
    category = _text(reporter.get("category"))
    anonymous = reporter.get("anonymous") is not False or category == "anonym"
    concern = partial.get("concern") if isinstance(partial.get("concern"), dict) else {}
    categories = concern.get("categories") if isinstance(concern.get("categories"), list) else []
    submitted = _text(partial.get("submitted_at"))
    draft: dict[str, Any] = {
        "channel": "etjanst",
        "reporter_category": category if category in lists.reporter_categories else None,
        "anonymous": anonymous,
        "reporter": {} if anonymous else {
            key: _text(reporter.get(key)) for key in ("name", "organisation", "role", "phone", "email")
        },
        "wants_feedback": reporter.get("wants_feedback") is True,
        "children": [
            {"name": _text(c.get("name")), "personnummer": _text(c.get("personnummer")),
             "birth_date": _text(c.get("birth_date")), "school": _text(c.get("school_or_preschool")),
             **_address(c)}
            for c in _people(partial.get("children"))
        ],
        "guardians": [
            {"name": _text(g.get("name")), "relation": _text(g.get("relation")),
             "personnummer": _text(g.get("personnummer")), "phone": _text(g.get("phone")),
             **_address(g)}
            for g in _people(partial.get("guardians"))
        ],
        "concern_codes": [c for c in categories if c in lists.concern_categories],
        "immediate_danger": concern.get("immediate_danger") is True,
        "description": _text(concern.get("description")),
        "attachments": [],
    }
    if receipt is not None:
        draft["received_at"] = receipt.isoformat()
    elif submitted:
        draft["received_at"] = submitted
    return draft
