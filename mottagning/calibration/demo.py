"""Demo calibration rounds on a demo database, scripted through the services.

Three workers answer every vignette of two rounds (an earlier one, closed, and a current
one): each starts from the vignette's reference answer and departs from it now and then,
more often on the questions that are known to be hard to judge, so the figures look like
a unit's. Seeded: the same seed gives the same answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.access.users import actor_for, add_user
from mottagning.assessment import ANSWERS, NO_IMMEDIATE_NEED, OUTCOMES, recommend, visible_questions
from mottagning.assessment.form import YES_NO_UNKNOWN
from mottagning.calibration.rounds import (
    Material,
    finish_training,
    local_today,
    material,
    open_round,
    save_training_answer,
    save_training_note,
    start_training,
)
from mottagning.context import Actor
from mottagning.errors import MottagningError
from mottagning.models import CalibrationRound, User
from mottagning.rules.permissions import Action, Role
from mottagning.settings import is_demo
from mottagning.timeutil import utc_now

WORKERS = (("anna", "Anna Lind"), ("erik", "Erik Holm"), ("lina", "Lina Ek"))
SENIOR = ("maria", "Maria Berg")
# How often each worker departs from the reference on an ordinary and on a hard question.
DEPARTURE = {"anna": (0.03, 0.2), "erik": (0.05, 0.3), "lina": (0.08, 0.4)}
HARD = {"pagatt_lange", "risk_om_inget_gors", "vardnadshavare_skyddar", "natverk",
        "kontakt_riskerar_barnet", "radd_ga_hem", "barnet_vet", "skyddande_vuxen"}
NOTES = ("Enligt anmälarens uppgifter.", "Framgår av anmälan.",
         "Oklart utifrån anmälan, behöver stämmas av med anmälaren.",
         "Barnet har själv berättat det för anmälaren.", "Bedömt utifrån barnets ålder.")
FREE_TEXT_NOTES = {"var_barnet_ar": "Hos anmälaren enligt anmälan.",
                   "fungerar_bra": "Skolan/förskolan är ett stöd och följer barnet."}


@dataclass(frozen=True)
class DemoRounds:
    round_ids: tuple[int, ...]
    answers: int


def _user(session: Session, username: str, name: str, roles: list[str]) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        add_user(session, None, username=username, full_name=name, roles=roles,
                 title="Socialsekreterare")
        user = session.execute(select(User).where(User.username == username)).scalar_one()
    return actor_for(user)


def _answers(rng: random.Random, stuff: Material, vignette_id: str, worker: str,
             form) -> dict[str, str]:  # type: ignore[no-untyped-def]
    vignette = stuff.vignettes.get(vignette_id)
    base = dict(vignette.reference.answers) if vignette.reference else {}
    ordinary, hard = DEPARTURE[worker]
    answers: dict[str, str] = {}
    for question in form.questions:
        if question.kind != YES_NO_UNKNOWN:
            continue
        if question.id not in {q.id for q in visible_questions(form, answers)}:
            continue
        value = base.get(question.id, "nej")
        if rng.random() < (hard if question.id in HARD else ordinary):
            value = rng.choice([a for a in ANSWERS if a != value])
        answers[question.id] = value
    return answers


def answer_vignette(session: Session, worker: Actor, round_id: int, vignette_id: str, *,
                    rng: random.Random, stuff: Material, now: datetime) -> None:
    """One worker's answer to one vignette, given through the training services."""
    state = start_training(session, worker, round_id, vignette_id, stuff=stuff, now=now)
    answers = _answers(rng, stuff, vignette_id, worker.username, state.form)
    for question_id, value in answers.items():
        state = save_training_answer(session, worker, state.id, question_id, value,
                                     stuff=stuff, now=now)
    result = recommend(state.form, answers)
    for question_id in result.notes_required:
        text = FREE_TEXT_NOTES.get(question_id) or rng.choice(NOTES)
        state = save_training_note(session, worker, state.id, question_id, text,
                                   stuff=stuff, now=now)
    outcome, reason = result.outcome, None
    if result.floor is None and result.outcome != NO_IMMEDIATE_NEED and rng.random() < 0.15:
        outcome = NO_IMMEDIATE_NEED
        reason = "Regeln slår till, men barnet kan vara kvar hemma i natt enligt anmälaren."
    assert outcome in OUTCOMES
    finish_training(session, worker, state.id, outcome=outcome, override_reason=reason,
                    expected_version=state.version, stuff=stuff, now=now)


def has_rounds(session: Session) -> bool:
    return session.execute(select(CalibrationRound.id).limit(1)).first() is not None


def fill_calibration_demo(session: Session, actor: Actor | None, *, seed: int = 1,
                          now: datetime | None = None,
                          stuff: Material | None = None) -> DemoRounds:
    """Two rounds answered by three workers, on a demo database without rounds."""
    if actor is not None:
        actor.require(Action.MANAGE_USERS)
    if not is_demo(session):
        raise MottagningError("Kalibreringsdemo görs bara i en demodatabas (mottagning demo).")
    if has_rounds(session):
        raise MottagningError("Databasen har redan kalibreringsomgångar; inga demodata lades till.")
    now = now or utc_now()
    stuff = stuff or material()
    rng = random.Random(seed)
    senior = _user(session, *SENIOR, [Role.WORKER, Role.SENIOR])
    workers = [_user(session, username, name, [Role.WORKER]) for username, name in WORKERS]
    vignette_ids = sorted(v.id for v in stuff.vignettes.vignettes.values()
                          if v.reference is not None)[:12]
    plans = (
        ("Omgång 1 – september", now - timedelta(days=70), 14, vignette_ids[:8]),
        ("Omgång 2 – november", now - timedelta(days=3), 14, vignette_ids),
    )
    round_ids = []
    answers = 0
    for title, opened, days, chosen in plans:
        round_id = open_round(session, senior, title=title, vignette_ids=list(chosen),
                              closes_on=local_today(opened) + timedelta(days=days),
                              stuff=stuff, now=opened)
        round_ids.append(round_id)
        for index, worker in enumerate(workers):
            for position, vignette_id in enumerate(chosen):
                answer_vignette(session, worker, round_id, vignette_id, rng=rng, stuff=stuff,
                                now=opened + timedelta(hours=2 + index, minutes=5 * position))
                answers += 1
    return DemoRounds(tuple(round_ids), answers)
