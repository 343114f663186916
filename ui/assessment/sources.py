"""Where the skyddsbedömning screen gets and saves its answers: a real case, or a vignette
of a calibration round in training mode.

The screen is the same in both (the questions, the keyboard, the live recommendation); only
the source differs. The training source has no path to a queue item or an assessment at
all, so training on the screen can never create or change a case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mottagning.assessment import service as svc
from mottagning.calibration import rounds as training
from mottagning.context import Actor
from mottagning.queue.listing import open_item


class CaseSource:
    """The skyddsbedömning of a queue item (audited, counts for the case)."""

    training = False

    def __init__(self, actor: Actor, item_id: int) -> None:
        self._actor, self.item_id = actor, item_id

    def load(self, session: Session) -> tuple[Any, Any]:
        return (svc.start_or_resume(session, self._actor, self.item_id),
                open_item(session, self._actor, self.item_id))

    def save_answer(self, session: Session, state_id: int, question_id: str,
                    answer: str | None, *, expected_version: int | None,
                    after_conflict: bool = False) -> Any:
        return svc.save_answer(session, self._actor, state_id, question_id, answer,
                               expected_version=expected_version, after_conflict=after_conflict)

    def save_note(self, session: Session, state_id: int, question_id: str, text: str, *,
                  expected_version: int | None, after_conflict: bool = False) -> Any:
        return svc.save_note(session, self._actor, state_id, question_id, text,
                             expected_version=expected_version, after_conflict=after_conflict)

    def finish(self, session: Session, state_id: int, *, outcome: str,
               override_reason: str | None, expected_version: int,
               seen_answers: dict[str, str] | None = None) -> Any:
        return svc.finish(session, self._actor, state_id, outcome=outcome,
                          override_reason=override_reason, expected_version=expected_version,
                          seen_answers=seen_answers)


class TrainingSource:
    """A worker's answer to one vignette of a calibration round: stored apart from cases."""

    training = True
    item_id = None

    def __init__(self, actor: Actor, round_id: int, vignette_id: str) -> None:
        self._actor, self.round_id, self.vignette_id = actor, round_id, vignette_id

    def load(self, session: Session) -> tuple[Any, None]:
        return training.start_training(session, self._actor, self.round_id,
                                       self.vignette_id), None

    # A worker's training answers are theirs alone: no other desk saves them, no versions.
    def save_answer(self, session: Session, state_id: int, question_id: str,
                    answer: str | None, **_versions: Any) -> Any:
        return training.save_training_answer(session, self._actor, state_id, question_id, answer)

    def save_note(self, session: Session, state_id: int, question_id: str, text: str,
                  **_versions: Any) -> Any:
        return training.save_training_note(session, self._actor, state_id, question_id, text)

    def finish(self, session: Session, state_id: int, *, outcome: str,
               override_reason: str | None, expected_version: int, **_seen: Any) -> Any:
        return training.finish_training(session, self._actor, state_id, outcome=outcome,
                                        override_reason=override_reason,
                                        expected_version=expected_version)
