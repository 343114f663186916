"""Calibration test helpers: a round, and a worker answering a vignette through the services."""

from __future__ import annotations

from datetime import date, datetime

from mottagning.assessment import recommend
from mottagning.calibration import rounds
from mottagning.context import Actor
from mottagning.db.database import Database

# Every question of the form answered "no danger" (like the form's own test case).
NO_DANGER = {
    "ny_handelse": "nej", "pagatt_lange": "nej", "risk_om_inget_gors": "nej", "vald": "nej",
    "hot": "nej", "overgrepp": "nej", "heder": "nej", "bevittnat_vald": "nej",
    "synliga_skador": "nej", "radd_ga_hem": "nej", "vardnadshavare_paverkad": "nej",
    "vardnadshavare_sjuk": "nej", "skyddande_vuxen": "ja", "ska_hem_till_oro": "nej",
    "andra_barn_finns": "nej", "vardnadshavare_skyddar": "ja", "natverk": "nej",
    "kontakt_riskerar_barnet": "nej", "vardnadshavare_vet": "nej", "barnet_vet": "nej",
    "anmalare_mote": "nej",
}
VIGNETTES = ["v09_vill_inte_ga_hem", "v10_skolfranvaro", "v11_hungrig_pa_mandagar"]


def open_test_round(database: Database, senior: Actor, now: datetime,
                    vignettes: list[str] | None = None, closes_on: date = date(2026, 12, 15)) -> int:
    with database.transaction() as session:
        return rounds.open_round(session, senior, title="Testomgång",
                                 vignette_ids=vignettes or VIGNETTES, closes_on=closes_on, now=now)


def answer(database: Database, worker: Actor, round_id: int, vignette_id: str, now: datetime,
           changes: dict[str, str] | None = None, *, outcome: str | None = None,
           note: str = "Enligt anmälan.") -> rounds.TrainingState:
    """Answer every question (no danger, with `changes`), write the notes it needs, finish."""
    answers = {**NO_DANGER, **(changes or {})}
    with database.transaction() as session:
        state = rounds.start_training(session, worker, round_id, vignette_id, now=now)
        for question in state.form.questions:
            if question.id in answers:
                state = rounds.save_training_answer(session, worker, state.id, question.id,
                                                    answers[question.id], now=now)
        for question_id in recommend(state.form, state.answers).notes_required:
            state = rounds.save_training_note(session, worker, state.id, question_id, note,
                                              now=now)
        chosen = outcome or state.recommendation.outcome
        reason = None if chosen == state.recommendation.outcome else "Gruppens bedömning."
        return rounds.finish_training(session, worker, state.id, outcome=chosen,
                                      override_reason=reason, expected_version=state.version,
                                      now=now)
