"""Status transitions go through one function that refuses illegal moves."""

from __future__ import annotations

import pytest

from mottagning.errors import InvalidTransition
from mottagning.rules.status import TRANSITIONS, Status, check_transition


def test_the_normal_path_is_allowed() -> None:
    path = [Status.RECEIVED, Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT,
            Status.DECISION_PROPOSED, Status.DECISION_SIGNED, Status.CLOSED]
    for current, target in zip(path, path[1:], strict=False):
        assert check_transition(current, target) is target


def test_returned_proposal_goes_back_to_the_worker_and_can_be_proposed_again() -> None:
    assert check_transition("decision_proposed", "returned") is Status.RETURNED
    assert check_transition("returned", "decision_proposed") is Status.DECISION_PROPOSED


@pytest.mark.parametrize(
    ("current", "target"),
    [("received", "decision_signed"), ("received", "closed"), ("closed", "received"),
     ("initial_assessment", "decision_signed"), ("protection_assessed", "received")],
)
def test_illegal_transitions_are_refused_in_swedish(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition, match="kan inte gå från"):
        check_transition(current, target)


def test_closed_is_final() -> None:
    assert TRANSITIONS[Status.CLOSED] == frozenset()
