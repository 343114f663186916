"""Two administrators edit the municipality profile: the second save meets the conflict
dialog with both profiles; keeping one's own saves it over the newer version, taking the
newer one puts it into the form. Nothing is overwritten unseen."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from mottagning.letters.profile import put_profile
from mottagning.models import AuditEvent
from tests.core.letters.test_profile_conflicts import PROFILE, _stored, make_two_admins
from tests.ui.conftest import WAIT_MS
from ui.letters.profile_form import ProfileForm


@pytest.fixture
def two_admins(database):  # type: ignore[no-untyped-def]
    return make_two_admins(database)


def _open(qtbot, ops, admin) -> ProfileForm:  # type: ignore[no-untyped-def]
    form = ProfileForm(ops, admin)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.version is not None, timeout=WAIT_MS)
    return form


def test_the_second_admin_sees_both_profiles_and_keeps_theirs(
        qtbot, ops, database, two_admins) -> None:
    first, second = two_admins
    form = _open(qtbot, ops, first)
    with database.transaction() as session:  # another desk saves first
        put_profile(session, second, dataclasses.replace(PROFILE, phone="0243-999 99"),
                    expected_version=form.version)
    form.fields["phone_hours"].setText("vardagar kl. 9.00–11.00")
    form.save()
    qtbot.waitUntil(lambda: form.conflict is not None, timeout=WAIT_MS)
    conflict = form.conflict
    assert "Telefontider: vardagar kl. 9.00–11.00" in conflict.mine.toPlainText()
    assert "Telefon: 0243-999 99" in conflict.theirs.toPlainText()
    assert _stored(database)[0].phone == "0243-999 99"
    conflict.keep_button.click()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=WAIT_MS)
    profile, version = _stored(database)
    assert profile.phone_hours == "vardagar kl. 9.00–11.00" and version == 3
    with database.transaction() as session:
        details = session.execute(select(AuditEvent.details).where(
            AuditEvent.action == "letter_profile_saved").order_by(AuditEvent.id.desc())
        ).scalars().first()
    assert details["over_version"] == 2 and details["version"] == 3


def test_taking_the_newer_profile_puts_it_into_the_form(qtbot, ops, database, two_admins) -> None:
    first, second = two_admins
    form = _open(qtbot, ops, first)
    with database.transaction() as session:
        put_profile(session, second, dataclasses.replace(PROFILE, phone="0243-999 99"),
                    expected_version=form.version)
    form.fields["phone_hours"].setText("kl. 9–11")
    form.save()
    qtbot.waitUntil(lambda: form.conflict is not None, timeout=WAIT_MS)
    form.conflict.use_button.click()
    qtbot.waitUntil(lambda: form.conflict is None, timeout=WAIT_MS)
    assert form.fields["phone"].text() == "0243-999 99"
    assert form.fields["phone_hours"].text() == PROFILE.phone_hours
    assert form.isVisible() and form.version == 2
    assert _stored(database)[0].phone_hours == PROFILE.phone_hours
