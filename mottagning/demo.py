"""Synthetic demo data (make run, demos and benchmarks). Never used on a real database.

Personnummer are synthetic: serial numbers 980–999 with a correct check digit, the range
used for test personnummer, so they should not hit real people; the database is marked
DEMO, which the window title and every letter show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mottagning import settings as settings_service
from mottagning.access.users import actor_for, add_user
from mottagning.assessment import FormSet, gaps, load_forms, visible_questions
from mottagning.assessment import service as assessments
from mottagning.assessment.form import FREE_TEXT
from mottagning.context import Actor
from mottagning.decisions.delegation import signing_phrase
from mottagning.decisions.extensions import (
    extension_phrase,
    request_extension,
    sign_extension,
)
from mottagning.decisions.proposals import (
    Contact,
    ProposalInput,
    propose_decision,
    return_decision,
    sign_decision,
)
from mottagning.errors import MottagningError
from mottagning.intake.reports import ChildInput, GuardianInput, NewReport, register_report
from mottagning.models import QueueItem, Report, User
from mottagning.models.decisions import Decision
from mottagning.queue.items import hand_over_item, move_item
from mottagning.rules import personnummer as pnr
from mottagning.rules.codes import codes
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.permissions import Action, Role
from mottagning.rules.status import Status
from mottagning.timeutil import to_local, utc_now

DEMO_USERS = (
    ("anna", "Anna Lind", [Role.WORKER], "Socialsekreterare"),
    ("erik", "Erik Holm", [Role.WORKER], "Socialsekreterare"),
    ("maria", "Maria Berg", [Role.SENIOR], "Förste socialsekreterare"),
    ("johan", "Johan Ek", [Role.ASSISTANT], "Administratör"),
    ("sofia", "Sofia Sund", [Role.ADMIN], "Systemförvaltare"),
)

# Who reports, roughly as in Socialstyrelsen's figures (school and police most).
REPORTER_WEIGHTS = {
    "skola": 25, "polis": 18, "forskola": 10, "halso_och_sjukvard": 10, "socialtjanst": 6,
    "privatperson": 10, "anonym": 7, "familjen_sjalv": 3, "barnet_sjalvt": 2,
    "tandvard": 2, "fritidsverksamhet": 2, "yrkesverksam_ovrig": 3, "annan_myndighet": 2,
}
CHANNEL_WEIGHTS = {"etjanst": 45, "telefon": 30, "brev": 8, "epost": 10, "fax": 2, "besok": 5}

DESCRIPTIONS = {
    "vald_mot_barn": "Barnet berättade i dag att pappa slog henne i går kväll när hon inte ville gå och lägga sig. Hon har ett blåmärke på armen.",
    "bevittnat_vald": "Polisen har varit på adressen efter larm om bråk. Barnen var hemma och vakna när mamman blev slagen.",
    "sexuella_overgrepp": "Barnet har berättat för sin mentor om en vuxen i familjens närhet som rört henne på ett sätt hon inte ville.",
    "hedersrelaterat": "Eleven säger att hon inte får träffa kompisar efter skolan och att hon ska skickas utomlands i sommar mot sin vilja.",
    "psykisk_misshandel": "Vi hör ofta vårdnadshavaren skrika hotfullt åt barnet vid hämtning och kalla honom nedsättande saker.",
    "forsummelse": "Barnet kommer ofta utan frukost och i för tunna kläder. Hon säger att hon är ensam hemma på kvällarna.",
    "missbruk_vardnadshavare": "Mamman har flera gånger luktat alkohol vid hämtningen och vid ett tillfälle kunde hon inte stå stadigt.",
    "psykisk_ohalsa_vardnadshavare": "Pappan har under hösten mått mycket dåligt och ligger enligt barnet i sängen större delen av dagarna.",
    "barnets_beteende": "Pojken har vid upprepade tillfällen varit utåtagerande mot andra barn och säger att han inte vill gå hem.",
    "psykisk_ohalsa_barn": "Eleven har berättat för skolkuratorn att hon skadar sig själv och inte orkar mer.",
    "skolfranvaro": "Eleven har haft drygt 40 % frånvaro sedan terminsstart. Vårdnadshavarna svarar inte på våra kontaktförsök.",
    "annat": "Barnet har flera gånger uttryckt oro över situationen hemma utan att vilja berätta mer.",
}


@dataclass(frozen=True)
class DemoResult:
    reports: int
    items: int


def synthetic_pnr(rng: random.Random, birth: date, *, coordination: bool = False) -> str:
    """A personnummer in the test range (serials 980–999) with a correct check digit; a
    samordningsnummer (day + 60) with `coordination`."""
    serial = f"{rng.randint(980, 999)}"
    if coordination:
        first_nine = f"{birth:%y%m}{birth.day + 60:02d}{serial}"
        return f"{birth:%Y%m}{birth.day + 60:02d}-{serial}{pnr.with_check_digit(first_nine)}"
    first_nine = f"{birth:%y%m%d}{serial}"
    return f"{birth:%Y%m%d}-{serial}{pnr.with_check_digit(first_nine)}"


def demo_users(session: Session) -> dict[str, Actor]:
    """Mark the database DEMO and make one user per role (kept if they exist)."""
    settings_service.put_setting(session, settings_service.DEMO_KEY, True)
    actors: dict[str, Actor] = {}
    for username, name, roles, title in DEMO_USERS:
        existing = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if existing is None:
            add_user(session, None, username=username, full_name=name, roles=list(roles), title=title)
            existing = session.execute(select(User).where(User.username == username)).scalar_one()
        actors[username] = actor_for(existing)
    return actors


def database_is_empty(session: Session) -> bool:
    return not session.execute(select(func.count()).select_from(Report)).scalar_one()


def fill_demo(
    session: Session, *, reports: int, seed: int, now: datetime | None = None,
    actor: Actor | None = None,
) -> DemoResult:
    """Fill an empty database with `reports` synthetic reports and one user per role.

    Demo data creates users (a senior, an administrator): only a system administrator may
    run it (`actor`; on a new database the first user is one). `actor=None` is for tests.
    """
    from faker import Faker  # only the demo needs it

    if actor is not None:
        actor.require(Action.MANAGE_USERS)

    if not database_is_empty(session):
        raise MottagningError("Databasen innehåller redan anmälningar; demodata läggs bara i en tom databas.")
    now = now or utc_now()
    rng = random.Random(seed)
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    actors = demo_users(session)
    workers = [actors["anna"], actors["erik"]]
    # The services look users up by id for every saved answer (names in the assessment's
    # state); the session's identity map holds objects weakly, so without a reference each
    # look-up reloaded the user and its roles. Held here for the whole fill.
    users_held = session.execute(select(User)).scalars().all()

    lists = codes()
    reporter_weights = REPORTER_WEIGHTS
    violence = sorted(lists.violence_concerns)
    other = sorted(set(lists.concern_categories) - lists.violence_concerns)
    families: list[list[tuple[str, str | None, date]]] = []
    burst_child: tuple[str, str | None, date] | None = None

    homes: dict[str, tuple[tuple[GuardianInput, ...], str | None, str | None, str | None, bool]] = {}

    def home_of(kids: list[tuple[str, str | None, date]]):  # type: ignore[no-untyped-def]
        """The same guardians and address every time a family is reported again."""
        key = kids[0][0]
        if key not in homes:
            surname = key.split()[-1]
            protected = rng.random() < 0.03
            street = None if protected else fake.street_address()
            postal = None if protected else f"{rng.randint(781, 791)} {rng.randint(10, 99)}"
            city = None if protected else rng.choice(["Borlänge", "Falun", "Säter"])
            guardians = tuple(
                GuardianInput(
                    name=f"{fake.first_name_female() if rel == 'mamma' else fake.first_name_male()} {surname}",
                    relation=rel, phone=fake.phone_number(), street=street, postal_code=postal,
                    city=city, protected_identity=protected,
                    # letters to a protected guardian go via Skatteverket, which needs it
                    personnummer=synthetic_pnr(rng, date(rng.randint(1972, 1998),
                                                          rng.randint(1, 12), rng.randint(1, 28))),
                )
                for rel in rng.sample(["mamma", "pappa"], k=rng.randint(1, 2))
            )
            homes[key] = (guardians, street, postal, city, protected)
        return homes[key]

    def new_family() -> list[tuple[str, str | None, date]]:
        surname = fake.last_name()
        kids = []
        for _ in range(rng.choices([1, 2, 3], weights=[70, 22, 8])[0]):
            birth = date(now.year, 1, 1) - timedelta(days=rng.randint(200, 17 * 365))
            first = fake.first_name()
            number = None if rng.random() < 0.05 else synthetic_pnr(rng, birth)
            kids.append((f"{first} {surname}", number, birth))
        return kids

    created_items = 0
    for index in range(reports):
        if burst_child is None and index == reports // 3 and reports >= 20:
            burst_child = new_family()[0]
        if burst_child is not None and index % 7 == 0 and index < reports // 3 + 70:
            kids = [burst_child]
            received = now - timedelta(hours=rng.randint(1, 6 * 24))
        else:
            if families and rng.random() < 0.15:
                kids = rng.choice(families)
            else:
                kids = new_family()
                families.append(kids)
            received = now - timedelta(minutes=rng.randint(5, 30 * 24 * 60))
        category = rng.choices(list(reporter_weights), weights=list(reporter_weights.values()))[0]
        anonymous = category == "anonym"
        concerns = [rng.choice(violence)] if rng.random() < 0.2 else []
        concerns += rng.sample(other, k=rng.randint(1 if not concerns else 0, 2))
        guardians, street, postal, city, protected = home_of(kids)
        mandatory = category in lists.mandatory_reporters
        report = NewReport(
            channel=rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0],
            received_at=received,
            reporter_category=category,
            reporter_anonymous=anonymous,
            reporter_name=None if anonymous else fake.name(),
            reporter_organisation=(f"{fake.last_name()}skolan" if category == "skola" else None)
            if mandatory else None,
            reporter_phone=None if anonymous else fake.phone_number(),
            reporter_wants_feedback=mandatory and rng.random() < 0.6,
            concern_codes=tuple(concerns),
            description=" ".join(DESCRIPTIONS[c] for c in concerns[:2]),
            immediate_danger=bool(set(concerns) & lists.violence_concerns) and rng.random() < 0.25,
            children=tuple(
                ChildInput(name=name, personnummer=number, birth_date=birth,
                           street=None if protected else street,
                           postal_code=None if protected else postal,
                           city=None if protected else city, protected_identity=protected)
                for name, number, birth in kids
            ),
            guardians=guardians,
        )
        actor = rng.choice(workers)
        result = register_report(session, actor, report, strict=False, now=received)
        created_items += len(result.item_ids)
        for item_id in result.item_ids:
            _advance(session, rng, item_id, workers, actors["maria"], received, now)
    del users_held  # held until here on purpose (see above)
    return DemoResult(reports, created_items)


MOTIVATIONS = {
    "inleda_utredning": "Uppgifterna i anmälan ger anledning att utreda barnets behov av skydd och stöd.",
    "inte_inleda_utredning": "Efter samtal med vårdnadshavare och skola bedöms barnets behov tillgodosett; "
                             "familjen har själv tagit kontakt med BUP.",
    "tillfors_pagaende_utredning": "Barnet är föremål för en pågående utredning; anmälan tillförs den.",
    "vidarebefordras": "Barnet är folkbokfört och bor i en annan kommun; anmälan vidarebefordras dit.",
}
RETURN_COMMENTS = (
    "Motivera varför du bedömer att vårdnadshavarna kan skydda barnet.",
    "Kontakta skolan igen innan vi beslutar; vi vet för lite om frånvaron.",
    "Våldsuppgifterna behöver bemötas i motiveringen.",
)


def _proposal(rng: random.Random, item: QueueItem, proposed_at: datetime) -> ProposalInput:
    outcomes = list(MOTIVATIONS)
    weights = [80, 15, 5, 0] if item.flag_violence else [35, 50, 10, 5]
    outcome = rng.choices(outcomes, weights=weights)[0]
    contact_day = to_local(proposed_at).date() - timedelta(days=1)
    late = proposed_at > item.decision_due
    return ProposalInput(
        outcome=outcome, motivation=MOTIVATIONS[outcome],
        notes="Samtal med anmälaren och med vårdnadshavarna.",
        contacts=(Contact("Anmälaren (mentor)", contact_day, "Bekräftade uppgifterna."),
                  Contact("Vårdnadshavare", contact_day, "Kom på samtal.")),
        open_support_offered=rng.random() < 0.4 if outcome == "inte_inleda_utredning" else None,
        guardians_to_be_informed=True if outcome == "inte_inleda_utredning" else None,
        ongoing_investigation="Utredning påbörjad i september" if outcome == "tillfors_pagaende_utredning" else None,
        forward_municipality="Falu kommun" if outcome == "vidarebefordras" else None,
        violence_reason="Våldet ligger flera år tillbaka och familjen har pågående behandling."
        if item.flag_violence and outcome == "inte_inleda_utredning" else None,
        overrun_reason="Vårdnadshavarna kunde inte nås före fristen; samtal först efter påminnelse."
        if late else None,
    )


def _sign(session: Session, senior: Actor, decision_id: int, item: QueueItem, at: datetime) -> None:
    decision = session.get(Decision, decision_id)
    assert decision is not None
    late = (at > applicable_decision_due(item.decision_due, item.decision_due_extended)
            and not decision.overrun_reason)
    sign_decision(session, senior, decision_id, secret=signing_phrase(decision.outcome),
                  expected_version=decision.version, violence_acknowledged=item.flag_violence,
                  overrun_reason="Granskaren var frånvarande; beslutet signerades efter fristen."
                  if late else None, now=at)


# The protective answers of the demo's skyddsbedömningar; every other question is "nej".
SAFE_ANSWERS = {"skyddande_vuxen": "ja", "vardnadshavare_skyddar": "ja"}
DANGER_ANSWERS = {"radd_ga_hem": "ja", "synliga_skador": "ja", "vald": "ja"}
DEMO_NOTE = "Uppgifter från anmälan och samtal med anmälaren samma dag."


def _assess(session: Session, worker: Actor, item_id: int, *, danger: bool, now: datetime):  # type: ignore[no-untyped-def]
    """A real skyddsbedömning through the service, finished with the recommended outcome
    (immediate protection creates its urgent proposal by itself)."""
    forms = _demo_forms()
    state = assessments.start_or_resume(session, worker, item_id, forms=forms, now=now)
    wanted = {**SAFE_ANSWERS, **(DANGER_ANSWERS if danger else {})}
    answers: dict[str, str] = {}
    while True:
        new = [q for q in visible_questions(state.form, answers)
               if q.kind != FREE_TEXT and q.id not in answers]
        if not new:
            break
        for question in new:
            answers[question.id] = wanted.get(question.id, "nej")
            state = assessments.save_answer(session, worker, state.id, question.id,
                                            answers[question.id], forms=forms, now=now)
    for gap in gaps(state.form, state.answers, state.notes):
        state = assessments.save_note(session, worker, state.id, gap.question_id, DEMO_NOTE,
                                      forms=forms, now=now)
    return assessments.finish(session, worker, state.id, outcome=state.recommendation.outcome,
                              override_reason=None, expected_version=state.version, forms=forms,
                              now=now)


@cache
def _demo_forms() -> FormSet:
    return load_forms()


def _advance(
    session: Session, rng: random.Random, item_id: int, workers: list[Actor], senior: Actor,
    received: datetime, now: datetime,
) -> None:
    """Move a demo item along the work flow according to its age, so every status occurs,
    with real proposals and decisions (always signed by the senior, never the proposer)."""
    item = session.get(QueueItem, item_id)
    assert item is not None
    age = now - received
    worker = rng.choice(workers)
    if rng.random() < 0.7:
        item.assigned_to_id = worker.user_id
    if age < timedelta(hours=rng.randint(3, 30)):
        return

    def at(hours: float) -> datetime:
        return min(now, received + timedelta(hours=hours))

    state = _assess(session, worker, item.id, danger=item.flag_immediate_danger and rng.random() < 0.8,
                    now=at(6))
    if state.proposal_id is not None:
        if age > timedelta(days=1) and rng.random() < 0.7:
            _sign(session, senior, state.proposal_id, item, at(20))
        return
    # Older items have mostly moved on: a unit meets most of its deadlines.
    old = age > timedelta(days=12)
    if age < timedelta(days=2) or rng.random() < (0.02 if old else 0.1):
        return
    move_item(session, worker, item, Status.INITIAL_ASSESSMENT, details={"demo": True}, now=at(12))
    if age > timedelta(days=10) and rng.random() < 0.12:
        new_date = to_local(item.decision_due).date() + timedelta(days=14)
        extension = request_extension(
            session, worker, item.id, now=at(24 * 9),
            reason="Barnet vårdas på sjukhus och kan inte höras inom fristen.", new_date=new_date)
        sign_extension(session, senior, extension.extension_id, secret=extension_phrase(new_date),
                       expected_version=1, now=at(24 * 9 + 3))
    if age < timedelta(days=3) or rng.random() < (0.03 if old else 0.25):
        return
    proposed_hours = 24 * rng.uniform(2, min(age.days, 13 if old else 16))
    proposed_at = at(proposed_hours)
    decision_id = propose_decision(session, worker, item.id, _proposal(rng, item, proposed_at),
                                   now=proposed_at).decision_id
    if now - proposed_at < timedelta(days=1):
        return
    roll = 0.12 + rng.random() * 0.6 if old else rng.random()
    if roll < 0.15:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        return_decision(session, senior, decision_id, comment=rng.choice(RETURN_COMMENTS),
                        expected_version=decision.version, now=at(proposed_hours + 20))
    elif roll < 0.75:
        _sign(session, senior, decision_id, item, at(proposed_hours + 20))
        if old and item.status == Status.DECISION_SIGNED and rng.random() < 0.8:
            hand_over_item(session, worker, item.id, now=at(proposed_hours + 48))
