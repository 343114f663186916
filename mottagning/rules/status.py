"""The status of a queue item and the one function that moves it."""

from __future__ import annotations

from enum import StrEnum

from mottagning.errors import InvalidTransition


class Status(StrEnum):
    RECEIVED = "received"
    PROTECTION_ASSESSED = "protection_assessed"
    INITIAL_ASSESSMENT = "initial_assessment"
    DECISION_PROPOSED = "decision_proposed"
    DECISION_SIGNED = "decision_signed"
    RETURNED = "returned"
    CLOSED = "closed"


LABELS_SV = {
    Status.RECEIVED: "Inkommen",
    Status.PROTECTION_ASSESSED: "Skyddsbedömd",
    Status.INITIAL_ASSESSMENT: "Förhandsbedömning",
    Status.DECISION_PROPOSED: "Beslut föreslaget",
    Status.DECISION_SIGNED: "Beslut signerat",
    Status.RETURNED: "Återsänt",
    Status.CLOSED: "Avslutad",
}

# An acute case may go straight from the protection assessment to a proposal; a returned
# proposal goes back to the worker, who proposes again.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.PROTECTION_ASSESSED}),
    Status.PROTECTION_ASSESSED: frozenset({Status.INITIAL_ASSESSMENT, Status.DECISION_PROPOSED}),
    Status.INITIAL_ASSESSMENT: frozenset({Status.DECISION_PROPOSED}),
    Status.DECISION_PROPOSED: frozenset({Status.DECISION_SIGNED, Status.RETURNED}),
    Status.RETURNED: frozenset({Status.DECISION_PROPOSED, Status.INITIAL_ASSESSMENT}),
    Status.DECISION_SIGNED: frozenset({Status.CLOSED, Status.DECISION_PROPOSED}),
    Status.CLOSED: frozenset(),
}

# Decided: the decision is signed (handed over or not); no skyddsbedömning or decision
# deadline applies any more. Open: still in the unit's queue (a signed item not yet handed over
# is open but decided).
DECIDED_STATUSES = frozenset({Status.DECISION_SIGNED, Status.CLOSED})
OPEN_STATUSES = frozenset(s for s in Status if s is not Status.CLOSED)


def is_decided(status: str) -> bool:
    return status in DECIDED_STATUSES


def check_transition(current: str, target: str) -> Status:
    """Return `target` as a Status if the work flow allows current → target, else raise."""
    try:
        source, goal = Status(current), Status(target)
    except ValueError as exc:
        raise InvalidTransition(f"Okänd status: {exc}") from exc
    if goal not in TRANSITIONS[source]:
        raise InvalidTransition(
            f"Ärendet kan inte gå från ”{LABELS_SV[source]}” till ”{LABELS_SV[goal]}”."
        )
    return goal


def label(status: str) -> str:
    try:
        return LABELS_SV[Status(status)]
    except ValueError:
        return status
