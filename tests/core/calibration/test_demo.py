"""`mottagning calibration demo`: a round of twelve vignettes answered by three workers,
scripted through the services, on a demo database only."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from mottagning.calibration import results
from mottagning.calibration.demo import fill_calibration_demo
from mottagning.db.database import Database
from mottagning.errors import MottagningError
from mottagning.models import Assessment, QueueItem, TrainingAnswer
from mottagning.settings import DEMO_KEY, put_setting
from tests.conftest import make_user


def test_the_demo_answers_twelve_vignettes_by_three_workers_on_a_demo_database_only(
    database: Database, now: datetime,
) -> None:
    with database.transaction() as session, pytest.raises(MottagningError):
        fill_calibration_demo(session, None, now=now)
    with database.transaction() as session:
        put_setting(session, DEMO_KEY, True)
        made = fill_calibration_demo(session, None, now=now)
    lead = make_user(database, "lead", ["senior"])
    with database.transaction() as session:
        found = results.round_results(session, lead, made.round_ids[-1], samples=50)
        assert session.execute(select(func.count()).select_from(TrainingAnswer)).scalar_one() == 60
        assert session.execute(select(func.count()).select_from(QueueItem)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Assessment)).scalar_one() == 0
        with pytest.raises(MottagningError):
            fill_calibration_demo(session, None, now=now)
    assert (found.vignettes, found.participants, found.answers) == (12, 3, 36)
    assert all(q.figures.n_raters == 3 for q in found.questions)
