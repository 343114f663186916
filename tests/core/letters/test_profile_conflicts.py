"""The municipality profile carries a version: a save over a newer one is refused with it."""

from __future__ import annotations

import dataclasses

import pytest

from mottagning.errors import ConcurrentEdit
from mottagning.letters.profile import ProfileData, get_profile, profile_version, put_profile
from mottagning.rules.permissions import Role
from tests.conftest import make_user

PROFILE = ProfileData(
    municipality="Borlänge kommun", unit="Mottagningsenheten, Barn och familj",
    visiting_address="Röda vägen 50", postal_address="Box 834\n781 28 Borlänge",
    phone="0243-740 00", phone_hours="vardagar kl. 8.30–10.00", email="mottagningen@borlange.se",
)


def make_two_admins(database):  # type: ignore[no-untyped-def]
    """Two administrators, the first having saved PROFILE."""
    first = make_user(database, "sofia", [Role.ADMIN])
    second = make_user(database, "olle", [Role.ADMIN])
    with database.transaction() as session:
        put_profile(session, first, PROFILE)
    return first, second


@pytest.fixture
def two_admins(database):  # type: ignore[no-untyped-def]
    return make_two_admins(database)


def _stored(database) -> tuple[ProfileData, int]:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return get_profile(session), profile_version(session)


def test_a_profile_saved_over_a_newer_one_is_refused_with_the_newer_profile(
        database, two_admins) -> None:
    first, second = two_admins
    seen = _stored(database)[1]
    with database.transaction() as session:
        put_profile(session, second, dataclasses.replace(PROFILE, phone="0243-999 99"),
                    expected_version=seen)
    with database.transaction() as session, pytest.raises(ConcurrentEdit) as refused:
        put_profile(session, first, dataclasses.replace(PROFILE, phone_hours="kl. 9–11"),
                    expected_version=seen)
    assert refused.value.theirs.phone == "0243-999 99"
    assert refused.value.version == seen + 1
    assert _stored(database)[0].phone_hours == PROFILE.phone_hours  # nothing overwritten
