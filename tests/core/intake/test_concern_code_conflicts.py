"""No lost update on a report's concern-code correction: the second of two workers who
opened the same report is refused with the codes now stored, and nothing of theirs is saved."""

from __future__ import annotations

import pytest

from mottagning.errors import ConcurrentEdit
from mottagning.intake.concern_flags import correct_concern_codes
from mottagning.models import QueueItem, Report, ReportCorrection
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple


def test_the_second_correction_over_a_newer_report_is_refused_with_the_newer_codes(
    database, worker, now
) -> None:
    other = make_user(database, "bertil", [Role.WORKER])
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        report = session.get(Report, session.get(QueueItem, item_id).report_id)
        report_id, opened_version, before = report.id, report.version, list(report.concern_codes)
    with database.transaction() as session:
        correct_concern_codes(session, other, report_id, concern_codes=[*before, "vald_mot_barn"],
                              reason="Anmälaren beskriver slag.", expected_version=opened_version, now=now)

    with pytest.raises(ConcurrentEdit) as refused, database.transaction() as session:
        correct_concern_codes(session, worker, report_id, concern_codes=["annat"],
                              reason="Fel kod.", expected_version=opened_version, now=now)
    assert refused.value.theirs == [*before, "vald_mot_barn"]
    assert refused.value.version == opened_version + 1
    with database.transaction() as session:
        assert session.get(Report, report_id).concern_codes == [*before, "vald_mot_barn"]
        assert session.query(ReportCorrection).count() == 1
