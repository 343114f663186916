"""Workers answering their first vignette of a round at the same moment each get their own
pseudonym: no error, no number given twice (two sessions, and several processes)."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import select

from mottagning.calibration import rounds
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import CalibrationParticipant
from tests.conftest import make_user
from tests.core.calibration.helpers import VIGNETTES, open_test_round
from tests.core.processes import run_together


def _first_answer(database: Database, worker: Actor, round_id: int, now: datetime) -> str:
    with database.transaction() as session:
        return rounds.start_training(session, worker, round_id, VIGNETTES[0], now=now).pseudonym


def _numbers(database: Database, round_id: int) -> dict[int, int]:
    with database.transaction() as session:
        return {p.user_id: p.number for p in session.execute(
            select(CalibrationParticipant).where(CalibrationParticipant.round_id == round_id)
        ).scalars()}


def test_a_second_session_waiting_on_the_first_gets_the_next_number(
    database: Database, senior: Actor, now: datetime,
) -> None:
    anna, erik = (make_user(database, name, ["worker"]) for name in ("anna", "erik"))
    round_id = open_test_round(database, senior, now)
    second: dict[str, object] = {}

    def erik_starts() -> None:
        try:
            second["pseudonym"] = _first_answer(database, erik, round_id, now)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            second["error"] = exc

    with database.transaction() as session:
        # Anna's first answer is written but not yet committed when Erik starts his.
        first = rounds.start_training(session, anna, round_id, VIGNETTES[0], now=now).pseudonym
        thread = threading.Thread(target=erik_starts)
        thread.start()
        time.sleep(0.5)
        assert "pseudonym" not in second  # Erik waits for Anna's transaction
    thread.join(60)
    assert "error" not in second, second
    assert (first, second["pseudonym"]) == ("Deltagare 1", "Deltagare 2")
    assert _numbers(database, round_id) == {anna.user_id: 1, erik.user_id: 2}


def test_workers_starting_together_in_separate_processes_all_get_distinct_pseudonyms(
    database: Database, senior: Actor, now: datetime,
) -> None:
    workers = [make_user(database, f"worker{n}", ["worker"]) for n in range(4)]
    round_id = open_test_round(database, senior, now)
    outcomes = run_together(database.url, _first_answer,
                            [(worker, round_id, now) for worker in workers])
    assert [outcome for outcome, _ in outcomes] == ["ok"] * 4, outcomes
    assert sorted(value for _, value in outcomes) == [f"Deltagare {n}" for n in range(1, 5)]
    assert sorted(_numbers(database, round_id).values()) == [1, 2, 3, 4]
