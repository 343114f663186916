"""A quarantined file's readable parts prefill the manual registration."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from mottagning.intake.prefill import draft_from_partial
from tests.conftest import SAMPLES


def test_readable_parts_of_a_submission_prefill_the_draft() -> None:
    partial = json.loads((SAMPLES / "0002-polis-bevittnat-vald-syskon.json").read_text(encoding="utf-8"))
    draft = draft_from_partial(partial)
    assert draft["channel"] == "etjanst"
    assert draft["reporter_category"] == "polis"
    assert draft["reporter"]["name"] == "Jonas Berg"
    assert [c["name"] for c in draft["children"]] == ["Noah Lindqvist", "Alva Lindqvist"]
    assert draft["children"][0]["street"] == "Bäckvägen 3"
    assert draft["concern_codes"] == ["bevittnat_vald", "vald_mot_barn"]
    assert draft["description"].startswith("Polisen kallades")
    assert draft["received_at"] == "2026-11-16T23:47:05+01:00"


def test_anonymous_or_unclear_reporter_prefills_no_identity() -> None:
    for reporter in ({"anonymous": True, "name": "X Y"}, {"name": "X Y"}, {"category": "anonym", "anonymous": False, "name": "X Y"}):
        draft = draft_from_partial({"reporter": reporter})
        assert draft["anonymous"] is True and draft["reporter"] == {}


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["reporter", "children", "concern", "guardians", "name",
                                         "categories", "address", "submitted_at", "anonymous"]),
                        inner, max_size=4),
                    max_leaves=12))
def test_any_partial_gives_a_draft_without_raising(partial) -> None:  # type: ignore[no-untyped-def]
    draft = draft_from_partial(partial)
    assert draft["channel"] == "etjanst"
