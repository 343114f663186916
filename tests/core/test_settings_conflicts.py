"""No lost update on settings: a save over a value another administrator saved since the
screen was opened is refused with the newer value and its version, and nothing is stored."""

from __future__ import annotations

import pytest

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import ConcurrentEdit
from mottagning.models import AuditEvent
from mottagning.rules.permissions import Role
from mottagning.settings import change_setting, list_settings, setting, setting_version
from tests.conftest import make_user


def shown_version(database: Database, actor: Actor, key: str) -> int:
    with database.transaction() as session:
        return next(view.version for view in list_settings(session, actor) if view.key == key)


def test_a_setting_never_saved_is_version_0_and_each_save_counts(database: Database, admin: Actor) -> None:
    assert shown_version(database, admin, "feedback_days") == 0
    with database.transaction() as session:
        change_setting(session, admin, "feedback_days", 10, expected_version=0)
    with database.transaction() as session:
        change_setting(session, admin, "feedback_days", 12, expected_version=1)
    with database.transaction() as session:
        assert setting_version(session, "feedback_days") == 2
        assert setting(session, "feedback_days") == 12


def test_a_save_over_a_newer_value_is_refused_with_the_newer_value_and_nothing_is_lost(
    database: Database, admin: Actor
) -> None:
    other = make_user(database, "olle", [Role.ADMIN])
    mine, theirs = shown_version(database, admin, "feedback_days"), shown_version(database, other, "feedback_days")
    with database.transaction() as session:
        change_setting(session, other, "feedback_days", 21, expected_version=theirs)

    with pytest.raises(ConcurrentEdit) as refused, database.transaction() as session:
        change_setting(session, admin, "feedback_days", 7, expected_version=mine)
    assert refused.value.has_newer
    assert (refused.value.theirs, refused.value.version) == (21, 1)
    assert "ingenting sparades" in str(refused.value)
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 21  # the other's value stands
        changes = session.query(AuditEvent).filter_by(action="setting_changed").all()
        assert [e.details["to"] for e in changes] == [21]

    # the administrator chose to keep their value: saved over the version they have now seen
    with database.transaction() as session:
        change_setting(session, admin, "feedback_days", 7, expected_version=refused.value.version)
    with database.transaction() as session:
        assert setting(session, "feedback_days") == 7 and setting_version(session, "feedback_days") == 2
