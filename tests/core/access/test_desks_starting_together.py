"""Desks that start at the same moment on a fresh server database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mottagning.access.users import SYSTEM_IMPORT_USER, system_actor
from mottagning.db.database import Database
from mottagning.models import User
from tests.core.processes import run_together


def _system_user(database: Database) -> int:
    with database.transaction() as session:
        return system_actor(session).user_id


@pytest.mark.postgres
def test_desks_starting_together_share_one_system_user(database: Database) -> None:
    outcomes = run_together(database.url, _system_user, [()] * 4)
    assert [outcome for outcome, _ in outcomes] == ["ok"] * 4, outcomes
    assert len({user_id for _, user_id in outcomes}) == 1
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(User)
                               .where(User.username == SYSTEM_IMPORT_USER)).scalar_one() == 1
