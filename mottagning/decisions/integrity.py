"""Signed decisions against the audit chain: each signature put the decision's content hash
into the chain, so an edit of a signed decision's row shows (`mottagning audit verify`).

The check streams: it sees the chain page by page as the chain verification reads it and
fetches only the decisions those pages signed, as Core rows, so memory stays flat at any
size. Signed decisions without a signature event are found by counting, and named by one
query in the database only when the counts differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.decisions.delegation import DecisionStatus, content_hash
from mottagning.models import AuditEvent
from mottagning.models.decisions import Decision

SIGNED_ACTION = "decision_signed"
# Enough to act on; the count says how many more there are.
MAX_PROBLEMS_LISTED = 50

_DECISIONS = Decision.__table__


@dataclass(frozen=True)
class DecisionCheck:
    ok: bool
    checked: int
    problems: tuple[str, ...]


class SignedDecisionCheck:
    """An observer of `audit.verify_chain`: call it with each page of events, then `result()`.

    `after_decision_id` (an incremental verification): decisions up to that id were checked
    before; only signatures in the pages seen and signed decisions with a higher id are
    checked now."""

    def __init__(self, session: Session, *, after_decision_id: int = 0) -> None:
        self._session = session
        self._after = after_decision_id
        self.checked = 0
        self._matched_new = 0
        self._problems: list[str] = []
        self._problem_count = 0

    def _problem(self, text: str) -> None:
        self._problem_count += 1
        if len(self._problems) < MAX_PROBLEMS_LISTED:
            self._problems.append(text)

    def __call__(self, events: Sequence[Row[Any]]) -> None:
        recorded = {
            int(e.entity_id): str((e.details or {}).get("content_hash"))
            for e in events if e.action == SIGNED_ACTION and e.entity_type == "decision"
        }
        if not recorded:
            return
        rows = {row.id: row for row in self._session.execute(
            select(_DECISIONS).where(_DECISIONS.c.id.in_(recorded)))}
        for decision_id in sorted(recorded):
            row = rows.get(decision_id)
            if row is None or row.status != DecisionStatus.SIGNED.value:
                self._problem(f"beslut {decision_id} signerades enligt loggen men är inte längre signerat")
            elif content_hash(row) != recorded[decision_id] or row.content_hash != recorded[decision_id]:
                self._problem(f"beslut {decision_id} har ändrats efter att det signerades")
            else:
                self.checked += 1
                if decision_id > self._after:
                    self._matched_new += 1

    def result(self) -> DecisionCheck:
        signed_new = self._session.execute(
            select(func.count()).select_from(_DECISIONS).where(
                _DECISIONS.c.status == DecisionStatus.SIGNED.value, _DECISIONS.c.id > self._after)
        ).scalar_one()
        if signed_new != self._matched_new:
            self._name_signed_without_event()
        if self._problem_count > len(self._problems):
            self._problems.append(f"och {self._problem_count - len(self._problems)} till")
        return DecisionCheck(self._problem_count == 0, self.checked, tuple(self._problems))

    def _name_signed_without_event(self) -> None:
        signature = select(AuditEvent.id).where(
            AuditEvent.action == SIGNED_ACTION, AuditEvent.entity_type == "decision",
            AuditEvent.entity_id == _DECISIONS.c.id)
        unsigned = self._session.execute(
            select(_DECISIONS.c.id).where(
                _DECISIONS.c.status == DecisionStatus.SIGNED.value, _DECISIONS.c.id > self._after,
                ~signature.exists())
            .order_by(_DECISIONS.c.id).limit(MAX_PROBLEMS_LISTED)).scalars()
        found = False
        for decision_id in unsigned:
            found = True
            self._problem(f"beslut {decision_id} är markerat som signerat utan signaturhändelse i loggen")
        if not found and self._problem_count == 0:
            self._problem("antalet signerade beslut stämmer inte med signaturerna i loggen")


def verify_signed_decisions(session: Session) -> DecisionCheck:
    """Compare each signed decision with the content hash its signature put in the audit
    chain (the whole chain; `mottagning audit verify` does this while it verifies the chain)."""
    check = SignedDecisionCheck(session)
    for page in audit.event_pages(session):
        check(page)
    return check.result()
