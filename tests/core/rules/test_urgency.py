"""The queue's urgency rule as a table: the child's safety first, then the deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mottagning.rules.urgency import Tier, urgency

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)

# status, immediate danger, protection due, decision due, extended decision due → tier
TABLE = [
    ("received", True, NOW + 20 * H, NOW + 13 * D, None, Tier.IMMEDIATE_DANGER),
    ("received", True, NOW - 2 * H, NOW + 13 * D, None, Tier.IMMEDIATE_DANGER),
    ("received", False, NOW - 1 * H, NOW + 13 * D, None, Tier.PROTECTION_OVERDUE),
    ("received", False, NOW - 10 * D, NOW - 1 * D, None, Tier.PROTECTION_OVERDUE),
    ("received", False, NOW + timedelta(minutes=57), NOW + 13 * D, None, Tier.PROTECTION_DUE_SOON),
    ("received", False, NOW + 4 * H - timedelta(seconds=1), NOW + 13 * D, None,
     Tier.PROTECTION_DUE_SOON),
    ("received", False, NOW + 4 * H, NOW + 13 * D, None, Tier.NEXT_DEADLINE),
    ("received", False, NOW + 20 * H, NOW + 13 * D, None, Tier.NEXT_DEADLINE),
    ("protection_assessed", True, NOW - 5 * D, NOW - 1 * H, None, Tier.DECISION_OVERDUE),
    ("initial_assessment", False, NOW - 20 * D, NOW - 5 * D, None, Tier.DECISION_OVERDUE),
    ("returned", False, NOW - 20 * D, NOW - 5 * D, None, Tier.DECISION_OVERDUE),
    ("decision_proposed", False, NOW - 20 * D, NOW - 5 * D, NOW + 3 * D, Tier.NEXT_DEADLINE),
    ("initial_assessment", False, NOW - 5 * D, NOW + 2 * H, None, Tier.NEXT_DEADLINE),
    ("decision_signed", True, NOW - 20 * D, NOW - 5 * D, None, Tier.DECIDED),
    ("closed", True, NOW - 20 * D, NOW - 5 * D, None, Tier.CLOSED),
]


@pytest.mark.parametrize(("status", "danger", "protection", "decision", "extended", "tier"), TABLE)
def test_urgency_tier_table(status, danger, protection, decision, extended, tier) -> None:
    result = urgency(status=status, immediate_danger=danger, protection_due=protection,
                     decision_due=decision, decision_due_extended=extended, now=NOW)
    assert result.tier == tier


def test_the_soon_window_is_a_parameter() -> None:
    due = NOW + 3 * H
    common = dict(status="received", immediate_danger=False, protection_due=due,
                  decision_due=NOW + 13 * D, now=NOW)
    assert urgency(**common).tier == Tier.PROTECTION_DUE_SOON
    assert urgency(**common, protection_soon=2 * H).tier == Tier.NEXT_DEADLINE


def test_next_due_is_the_protection_deadline_until_it_counts_then_the_decisions() -> None:
    received = urgency(status="received", immediate_danger=False, protection_due=NOW + H,
                       decision_due=NOW + 13 * D, now=NOW)
    assessed = urgency(status="protection_assessed", immediate_danger=False,
                       protection_due=NOW + H, decision_due=NOW + 13 * D,
                       decision_due_extended=NOW + 20 * D, now=NOW)
    assert received.next_due == NOW + H
    assert assessed.next_due == NOW + 20 * D


def test_a_skyddsbedomning_due_within_the_hour_comes_before_twenty_late_decisions() -> None:
    late = [urgency(status="initial_assessment", immediate_danger=False,
                    protection_due=NOW - 20 * D, decision_due=NOW - timedelta(days=n),
                    now=NOW).key(n) for n in range(1, 21)]
    soon = urgency(status="received", immediate_danger=False,
                   protection_due=NOW + timedelta(minutes=57), decision_due=NOW + 14 * D,
                   now=NOW).key(100)
    assert sorted([*late, soon])[0] == soon
