"""Skyddsbedömningar waiting for a second signature are listed for the seniors."""

from __future__ import annotations

import pytest

from mottagning.assessment import NO_IMMEDIATE_NEED
from mottagning.assessment import service as svc
from mottagning.assessment.awaiting import list_awaiting_second_signature
from mottagning.errors import PermissionDenied
from tests.core.assessment.test_assessment_service import _fill, _finish, _item, _start

THREAT = {"hot": "ja", "utovare_hemma": "nej"}
THREAT_NOTE = {"hot": "Sms-hot från styvpappa, nu gripen."}


def lowered(database, actor, now, **kwargs) -> svc.AssessmentState:  # type: ignore[no-untyped-def]
    """A skyddsbedömning finished below its red-flag floor: it waits for a second signature."""
    item_id = _item(database, actor, now, **kwargs)
    state = _fill(database, actor, _start(database, actor, item_id, now).id, now,
                  answers=THREAT, notes=THREAT_NOTE)
    return _finish(database, actor, state, now, NO_IMMEDIATE_NEED, reason="Hotaren är gripen.")


def test_a_lowered_assessment_is_listed_for_seniors_akut_until_second_signed(
        database, worker, senior, now) -> None:
    plain = lowered(database, worker, now)
    acute = lowered(database, worker, now, immediate_danger=True,
                    children=None, concerns=("vald_mot_barn",))
    with database.transaction() as session:
        rows = list_awaiting_second_signature(session, senior)
    # The form recommended immediate protection for both (that is why they were lowered), so
    # both items carry the Akut flag; the one that has waited longest comes first.
    assert [r.assessment_id for r in rows] == [plain.id, acute.id]
    assert [r.urgent for r in rows] == [True, True]
    assert rows[1].child_name == "Ella Andersson" and rows[1].finished_by == worker.full_name
    assert rows[1].violence and not rows[1].own(senior)

    with database.transaction() as session:
        svc.second_sign(session, senior, acute.id, secret=svc.SECOND_SIGNATURE_PHRASE, now=now)
        assert [r.assessment_id for r in list_awaiting_second_signature(session, senior)] == [plain.id]


def test_only_those_who_may_second_sign_get_the_list(database, worker, now) -> None:
    lowered(database, worker, now)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        list_awaiting_second_signature(session, worker)
