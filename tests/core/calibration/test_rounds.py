"""Calibration rounds through the services: training stays apart from case work, results
are pseudonymous, the review shows where the form's rules made the difference."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from mottagning.calibration import references, results, rounds
from mottagning.cli import main
from mottagning.cli_support import current_actor
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.models import Assessment, AuditEvent, QueueItem, TrainingAnswer
from mottagning.queue.listing import list_queue
from mottagning.settings import put_setting
from mottagning.stats.figures import compute_figures
from mottagning.stats.period import Period
from tests.conftest import make_user
from tests.core.calibration.helpers import VIGNETTES, answer, open_test_round
from tests.core.factories import register_simple

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def three(database: Database) -> list[Actor]:
    return [make_user(database, name, ["worker"]) for name in ("anna", "erik", "lina")]


def _answer_round(database: Database, workers: list[Actor], round_id: int, now: datetime) -> None:
    """v09: the workers split on "rädd för att gå hem", which the form's rule turns into
    immediate protection; v10 and v11: they agree except one "vet ej" on natverk."""
    answer(database, workers[0], round_id, "v09_vill_inte_ga_hem", now,
           {"radd_ga_hem": "nej", "ska_hem_till_oro": "ja"})
    answer(database, workers[1], round_id, "v09_vill_inte_ga_hem", now,
           {"radd_ga_hem": "ja", "ska_hem_till_oro": "ja"}, note="Han säger att han är rädd.")
    answer(database, workers[2], round_id, "v09_vill_inte_ga_hem", now,
           {"radd_ga_hem": "ja", "ska_hem_till_oro": "ja"})
    for worker in workers:
        answer(database, worker, round_id, "v10_skolfranvaro", now, {"pagatt_lange": "ja"})
        answer(database, worker, round_id, "v11_hungrig_pa_mandagar", now,
               {"natverk": "vet_ej" if worker is workers[2] else "ja"})


def test_training_answers_never_reach_the_case_audit_the_statistics_or_the_queue(
    database: Database, worker: Actor, senior: Actor, now: datetime,
) -> None:
    register_simple(database, worker, now=now - timedelta(hours=2))
    round_id = open_test_round(database, senior, now)

    def snapshot():  # type: ignore[no-untyped-def]
        with database.transaction() as session:
            queue = list_queue(session, senior, now=now, audit_read=False)
            return (
                session.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
                session.execute(select(func.count()).select_from(QueueItem)).scalar_one(),
                session.execute(select(func.count()).select_from(Assessment)).scalar_one(),
                [row.id for row in queue.rows],
                compute_figures(session, senior, NOVEMBER, now=now, audited=False).values,
            )

    before = snapshot()
    for vignette_id in VIGNETTES:
        state = answer(database, worker, round_id, vignette_id, now,
                       {"vald": "ja", "utovare_hemma": "ja"})
        assert state.item_id is None
        assert state.outcome == "immediate_protection"
    after = snapshot()
    assert after == before
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(TrainingAnswer)).scalar_one() == 3
        events = session.execute(select(AuditEvent)).scalars().all()
    assert not [e for e in events if e.action.startswith("assessment")]
    assert [e.action for e in events if e.entity_type == "calibration_round"] == [
        "calibration_round_opened"]


def test_opening_a_round_is_for_seniors_and_refuses_a_past_closing_date(
    database: Database, worker: Actor, senior: Actor, now: datetime,
) -> None:
    with database.transaction() as session, pytest.raises(PermissionDenied):
        rounds.open_round(session, worker, title="X", vignette_ids=VIGNETTES,
                          closes_on=date(2026, 12, 1), now=now)
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        rounds.open_round(session, senior, title="X", vignette_ids=["finns_inte"],
                          closes_on=date(2026, 11, 1), now=now)
    assert "passerat" in str(error.value)
    assert "finns_inte" in str(error.value)


def test_a_closed_round_takes_no_new_answers(
    database: Database, worker: Actor, senior: Actor, now: datetime,
) -> None:
    round_id = open_test_round(database, senior, now, closes_on=date(2026, 11, 30))
    with database.transaction() as session, pytest.raises(rounds.RoundClosed):
        rounds.start_training(session, worker, round_id, VIGNETTES[0],
                              now=datetime(2026, 12, 1, 9, 0, tzinfo=now.tzinfo))


def test_finishing_a_training_answer_needs_every_answer_and_note_like_the_real_form(
    database: Database, worker: Actor, senior: Actor, now: datetime,
) -> None:
    round_id = open_test_round(database, senior, now)
    with database.transaction() as session:
        state = rounds.start_training(session, worker, round_id, VIGNETTES[0], now=now)
        state = rounds.save_training_answer(session, worker, state.id, "vald", "ja", now=now)
        with pytest.raises(ValidationError) as error:
            rounds.finish_training(session, worker, state.id, outcome="immediate_protection",
                                   override_reason=None, expected_version=state.version, now=now)
    assert "inte besvarad" in str(error.value)


def test_results_have_the_public_keys_with_the_most_disputed_question_first(
    database: Database, senior: Actor, three: list[Actor], now: datetime,
) -> None:
    round_id = open_test_round(database, senior, now)
    _answer_round(database, three, round_id, now)
    with database.transaction() as session:
        found = results.round_results(session, senior, round_id, samples=200)
    data = found.to_json()
    assert {"outcome_alpha", "reference_agreement", "questions"} <= set(data)
    questions = data["questions"]
    for figures in questions.values():
        assert {"alpha", "alpha_ci", "agreement", "n_raters"} <= set(figures)
    first = next(iter(questions))
    assert first == "radd_ga_hem"
    assert questions["radd_ga_hem"]["n_raters"] == 3
    # pairs: v09 one of three agree, v10 and v11 all three
    assert questions["radd_ga_hem"]["agreement"] == pytest.approx((1 + 3 + 3) / 9)
    low, high = questions["radd_ga_hem"]["alpha_ci"]
    assert low <= questions["radd_ga_hem"]["alpha"] <= high
    assert questions["hot"]["alpha"] is None and questions["hot"]["agreement"] == 1.0
    # the references say "nej" on radd_ga_hem: one of three on v09, everybody on v10 and v11
    assert questions["radd_ga_hem"]["reference_agreement"] == pytest.approx(7 / 9)
    # outcome: v09 split 1–2 (the rule), v10 and v11 unanimous
    assert data["outcome_agreement"] == pytest.approx((1 + 3 + 3) / 9)
    assert data["outcome_alpha"] is not None
    alphas = [q["alpha"] for q in questions.values() if q["alpha"] is not None]
    assert alphas == sorted(alphas)
    text = json.dumps(data, ensure_ascii=False)
    for actor in three:
        assert actor.username not in text and actor.full_name not in text
    notes = {n for q in found.questions for n in q.notes}
    assert ("Deltagare 2", "Vill inte gå hem efter utvecklingssamtalet",
            "Han säger att han är rädd.") in notes


def test_workers_see_their_own_answers_beside_the_group_only_for_vignettes_they_finished(
    database: Database, senior: Actor, three: list[Actor], now: datetime,
) -> None:
    round_id = open_test_round(database, senior, now)
    answer(database, three[0], round_id, "v09_vill_inte_ga_hem", now,
           {"radd_ga_hem": "nej", "ska_hem_till_oro": "ja"})
    answer(database, three[1], round_id, "v09_vill_inte_ga_hem", now,
           {"radd_ga_hem": "ja", "ska_hem_till_oro": "ja"})
    answer(database, three[1], round_id, "v10_skolfranvaro", now)
    with database.transaction() as session:
        own = results.my_results(session, three[0], round_id)
        with pytest.raises(PermissionDenied):
            results.round_results(session, three[0], round_id, samples=0)
    assert own.pseudonym == "Deltagare 1"
    assert {row.vignette_id for row in own.rows} == {"v09_vill_inte_ga_hem"}
    row = next(r for r in own.rows if r.question_id == "radd_ga_hem")
    assert (row.own, row.group, row.reference) == ("nej", {"nej": 1, "ja": 1}, "nej")


def test_the_review_shows_every_answer_and_where_the_rules_turned_an_answer_into_an_outcome(
    database: Database, senior: Actor, three: list[Actor], now: datetime,
) -> None:
    round_id = open_test_round(database, senior, now)
    _answer_round(database, three, round_id, now)
    with database.transaction() as session:
        found = results.review(session, senior, round_id, "v09_vill_inte_ga_hem")
    assert [c.pseudonym for c in found.columns] == ["Deltagare 1", "Deltagare 2", "Deltagare 3"]
    assert [c.outcome for c in found.columns] == ["no_immediate_need", "immediate_protection",
                                                  "immediate_protection"]
    assert found.differing == ("radd_ga_hem",)
    assert {(t.question_id, t.from_answer, t.to_answer) for t in found.turns} == {
        ("radd_ga_hem", "nej", "ja"), ("radd_ga_hem", "ja", "nej")}
    turn = next(t for t in found.turns if t.from_answer == "nej")
    assert turn.rules_added == ("radd_och_ska_hem",)
    assert turn.to_outcome == "immediate_protection"
    with database.transaction() as session:
        put_setting(session, "calibration.individual_answers", False)
    with database.transaction() as session:
        hidden = results.review(session, senior, round_id, "v09_vill_inte_ga_hem")
    assert hidden.columns == ()
    assert hidden.spreads["radd_ga_hem"] == {"nej": 1, "ja": 2}


def test_a_new_reference_is_a_new_vignette_version_shown_beside_the_one_the_round_used(
    database: Database, senior: Actor, three: list[Actor], now: datetime,
) -> None:
    """A round is judged against the reference in force when it opened; the review
    meeting's new reference is shown beside it and judges the rounds opened after it."""
    round_id = open_test_round(database, senior, now)
    _answer_round(database, three, round_id, now)
    stuff = rounds.material()
    vignette = stuff.vignettes.get("v11_hungrig_pa_mandagar")
    assert vignette.reference.answers["natverk"] == "ja"
    with database.transaction() as session:
        before = results.round_results(session, senior, round_id, samples=0)
    agreed = {**vignette.reference.answers, "natverk": "vet_ej"}
    with database.transaction() as session:
        version = references.save_reference(session, senior, vignette, answers=agreed,
                                            outcome="no_immediate_need",
                                            why="Vi vet inte om nätverket.", forms=stuff.forms,
                                            now=now)
        with pytest.raises(ValidationError):
            references.save_reference(session, senior, vignette, answers={"vald": "ja"},
                                      outcome="no_immediate_need", why="Fel.",
                                      forms=stuff.forms, now=now)
    assert version == 2
    later_round = open_test_round(database, senior, now + timedelta(days=1),
                                  vignettes=["v11_hungrig_pa_mandagar"])
    _answer_round_v11 = [answer(database, worker, later_round, "v11_hungrig_pa_mandagar", now
                                + timedelta(days=1), {"natverk": "vet_ej" if worker is three[2]
                                                      else "ja"}) for worker in three]
    assert len(_answer_round_v11) == 3
    with database.transaction() as session:
        after = results.round_results(session, senior, round_id, samples=0)
        later = results.round_results(session, senior, later_round, samples=0)
        current = references.current_vignette(session, vignette)
        review = results.review(session, senior, round_id, "v11_hungrig_pa_mandagar")
        later_review = results.review(session, senior, later_round, "v11_hungrig_pa_mandagar")
        lina = results.my_results(session, three[2], round_id)
        events = session.execute(select(AuditEvent.action)).scalars().all()
    assert current.version == 2 and current.reference.answers["natverk"] == "vet_ej"

    def natverk(found: results.RoundResults) -> float | None:
        return next(q for q in found.questions if q.id == "natverk").reference_agreement

    # The first round keeps its figures: v11 still judged by version 1 ("ja": 2 of 3 agree).
    assert natverk(after) == natverk(before)
    assert after.reference_agreement == before.reference_agreement
    assert after.reference_versions["v11_hungrig_pa_mandagar"] == 1
    assert after.newer_references == ("v11_hungrig_pa_mandagar",)
    assert after.to_json()["newer_references"] == ["v11_hungrig_pa_mandagar"]
    # The round opened after the meeting is judged by version 2 ("vet ej": 1 of 3 agree).
    assert later.reference_versions == {"v11_hungrig_pa_mandagar": 2}
    assert later.newer_references == ()
    assert natverk(later) == pytest.approx(1 / 3)
    # The review shows the round's reference and the new one beside it.
    assert review.vignette.version == 1 and review.vignette.reference.answers["natverk"] == "ja"
    assert review.newer is not None and review.newer.version == 2
    assert review.latest.reference.answers["natverk"] == "vet_ej"
    assert later_review.newer is None and later_review.latest.version == 2
    # A worker sees the reference the round used and, where it now says otherwise, the new one.
    row = next(r for r in lina.rows
               if (r.vignette_id, r.question_id) == ("v11_hungrig_pa_mandagar", "natverk"))
    assert (row.own, row.reference, row.newer_reference) == ("vet_ej", "ja", "vet_ej")
    unchanged = next(r for r in lina.rows
                     if (r.vignette_id, r.question_id) == ("v11_hungrig_pa_mandagar", "vald"))
    assert unchanged.newer_reference is None
    assert "calibration_reference_saved" in events


def test_form_feedback_flags_questions_that_stay_low_across_rounds(
    database: Database, senior: Actor, three: list[Actor], now: datetime,
) -> None:
    for offset in (timedelta(days=60), timedelta(0)):
        opened = now - offset
        round_id = open_test_round(database, senior, opened,
                                   closes_on=(opened + timedelta(days=10)).date())
        _answer_round(database, three, round_id, opened + timedelta(hours=1))
    with database.transaction() as session:
        flagged = results.form_feedback(session, senior)
        history = results.alpha_history(session, senior)
    assert "radd_ga_hem" in [f.id for f in flagged]
    assert len(history) == 2
    assert all(len(f.alphas) == 2 for f in flagged)
    # The notes the workers wrote on the question come with it, pseudonymous, per round.
    radd = next(f for f in flagged if f.id == "radd_ga_hem")
    assert ("Testomgång", "Deltagare 2", "Vill inte gå hem",
            "Han säger att han är rädd.") in [(r, p, v[:16], n) for r, p, v, n in radd.notes]
    assert len(radd.notes) == 4  # two workers answered "ja" in each of the two rounds
    assert not any("Testsson" in " ".join(note) for note in radd.notes)


def test_the_results_command_prints_the_json_the_core_computes(
    database: Database, now: datetime, capsys: pytest.CaptureFixture[str],
) -> None:
    lead = current_actor(database)  # the OS account's user: senior and administrator
    workers = [make_user(database, name, ["worker"]) for name in ("anna", "erik", "lina")]
    with database.transaction() as session:
        put_setting(session, "calibration.bootstrap_samples", 200)
    round_id = open_test_round(database, lead, now)
    _answer_round(database, workers, round_id, now)
    with time_machine.travel(now, tick=False):
        assert main(["--db", database.url, "calibration", "results", str(round_id), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    with database.transaction() as session:
        expected = results.round_results(session, lead, round_id).to_json()
    assert output == expected


def test_the_figures_report_progress_per_question_and_stop_when_cancelled(
    database: Database, senior: Actor, three: list[Actor], now: datetime,
) -> None:
    round_id = open_test_round(database, senior, now)
    _answer_round(database, three, round_id, now)
    seen: list[tuple[int, int]] = []
    with database.transaction() as session:
        results.round_results(session, senior, round_id, samples=0,
                              progress=lambda done, total, _label: seen.append((done, total)))
        with pytest.raises(results.Cancelled):
            results.round_results(session, senior, round_id, samples=0,
                                  should_cancel=lambda: True)
    assert seen[0] == (0, 24) and seen[-1] == (22, 24)
