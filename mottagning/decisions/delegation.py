"""What a decision may say and who may sign it: outcomes, signing phrases, the delegation
table and the feedback limit (settings with defaults), the content hash of a signed decision.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.models.decisions import Decision
from mottagning.rules.deadlines import end_of_local_day
from mottagning.rules.outcomes import OUTCOME_LABELS_SV, Outcome
from mottagning.rules.permissions import ROLE_LABELS_SV, ROLE_VALUES, Action, Role
from mottagning.settings import put_setting, setting
from mottagning.timeutil import as_utc, to_local, utc_now

# The phrase a signer without a password types: it names what is being signed.
_PHRASES = {
    Outcome.INLEDA_UTREDNING: "Jag signerar beslutet att inleda utredning",
    Outcome.INTE_INLEDA_UTREDNING: "Jag signerar beslutet att inte inleda utredning",
    Outcome.TILLFORS_PAGAENDE_UTREDNING: "Jag bekräftar att anmälan tillförs pågående utredning",
    Outcome.VIDAREBEFORDRAS: "Jag signerar beslutet att vidarebefordra anmälan",
}


class DecisionStatus(StrEnum):
    AWAITING = "awaiting"
    RETURNED = "returned"
    SIGNED = "signed"
    # A returned proposal that the worker has since replaced with a new one.
    SUPERSEDED = "superseded"


STATUS_LABELS_SV = {
    DecisionStatus.AWAITING: "Väntar på signatur",
    DecisionStatus.RETURNED: "Återsänt",
    DecisionStatus.SIGNED: "Signerat",
    DecisionStatus.SUPERSEDED: "Ersatt av nytt förslag",
}

# The only things an återkoppling may say, per outcome (forwarding leaves it to the other
# municipality, which decides).
FEEDBACK_CONTENT = {
    Outcome.INLEDA_UTREDNING: "opened",
    Outcome.INTE_INLEDA_UTREDNING: "not_opened",
    Outcome.TILLFORS_PAGAENDE_UTREDNING: "already_under_way",
}
FEEDBACK_LABELS_SV = {
    "opened": "Utredning har inletts",
    "not_opened": "Utredning har inte inletts",
    "already_under_way": "Utredning pågår redan",
}

DELEGATION_KEY = "decision_delegation"
FEEDBACK_DAYS_KEY = "feedback_days"
# The law (from 15 January 2026) leaves the limit to be set: resources/settings.toml.


def outcome_of(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError as exc:
        raise ValidationError([f"Okänt beslut: {value}."]) from exc


def outcome_label(value: str) -> str:
    try:
        return OUTCOME_LABELS_SV[Outcome(value)]
    except ValueError:
        return value


def signing_phrase(outcome: str) -> str:
    return _PHRASES[outcome_of(outcome)]




def delegation(session: Session) -> dict[str, list[str]]:
    """Decision kind → roles that hold the delegation (the committee's delegationsordning)."""
    table = setting(session, DELEGATION_KEY)
    return {kind.value: list(table[kind.value]) for kind in Outcome}


def set_delegation(
    session: Session, actor: Actor, outcome: str, roles: list[str], *, now: datetime | None = None,
) -> dict[str, list[str]]:
    """Change which roles may sign one kind of decision (admins only; audited)."""
    actor.require(Action.MANAGE_SETTINGS)
    kind = outcome_of(outcome)
    unknown = sorted(set(roles) - ROLE_VALUES)
    if unknown:
        raise ValidationError([f"Okänd roll: {', '.join(unknown)}."])
    if not roles:
        raise ValidationError(["Minst en roll måste ha delegation för varje slags beslut."])
    table = delegation(session)
    before = table[kind.value]
    table[kind.value] = sorted(set(roles))
    put_setting(session, DELEGATION_KEY, table)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="delegation_changed",
        entity_type="setting", details={"outcome": kind.value, "from": before, "to": table[kind.value]},
        now=now or utc_now(),
    )
    return table


def delegated_role(session: Session, actor: Actor, outcome: str) -> str | None:
    """The actor's role that holds the delegation for `outcome`, or None."""
    allowed = delegation(session)[outcome_of(outcome).value]
    held = sorted(set(allowed) & set(actor.roles))
    return held[0] if held else None


def delegation_text(role: str, outcome: str) -> str:
    """What the record names as the signer's delegation."""
    return f"{ROLE_LABELS_SV[Role(role)]} enligt delegationsordningen ({outcome_label(outcome).lower()})"


def delegation_holders_text(session: Session, outcome: str) -> str:
    roles = delegation(session)[outcome_of(outcome).value]
    return ", ".join(ROLE_LABELS_SV[Role(r)].lower() for r in roles if r in ROLE_VALUES)


def feedback_days(session: Session) -> int:
    return int(setting(session, FEEDBACK_DAYS_KEY))


def feedback_due(session: Session, signed_at: datetime) -> datetime:
    return end_of_local_day(to_local(signed_at).date() + timedelta(days=feedback_days(session)))


def content_of(decision: Decision | Row[Any]) -> dict[str, Any]:
    """Everything a signed decision says; its hash goes into the audit chain (from the ORM
    object, or a Core row of the decisions table when millions are checked)."""
    def when(value: datetime | None) -> str | None:
        return None if value is None else as_utc(value).isoformat(timespec="seconds")

    return {
        "id": decision.id, "item_id": decision.item_id, "outcome": decision.outcome,
        "open_support_offered": decision.open_support_offered,
        "guardians_to_be_informed": decision.guardians_to_be_informed,
        "ongoing_investigation": decision.ongoing_investigation,
        "forward_municipality": decision.forward_municipality,
        "motivation": decision.motivation, "notes": decision.notes,
        "contacts": decision.contacts, "violence_reason": decision.violence_reason,
        "overrun_reason": decision.overrun_reason, "urgent": decision.urgent,
        "proposed_by_id": decision.proposed_by_id, "proposed_at": when(decision.proposed_at),
        "signed_by_id": decision.signed_by_id, "signed_at": when(decision.signed_at),
        "signer_delegation": decision.signer_delegation,
        "violence_acknowledged": decision.violence_acknowledged,
        "corrects_decision_id": decision.corrects_decision_id,
        "correction_reason": decision.correction_reason,
    }


def content_hash(decision: Decision | Row[Any]) -> str:
    payload = json.dumps(content_of(decision), sort_keys=True, ensure_ascii=False,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
