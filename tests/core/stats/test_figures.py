"""Every figure of the statistics on a fixed data set, against values computed by hand
(see tests/core/stats/dataset.py for the data and the reasoning)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.models import AuditEvent
from mottagning.stats.figures import compute_figures
from mottagning.stats.period import Period
from tests.core.stats import dataset

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def figures(database: Database, worker: Actor, senior: Actor, now: datetime):
    dataset.build(database, worker, senior)
    with database.transaction() as session:
        return compute_figures(session, senior, NOVEMBER, now=now)


def test_a_report_about_three_children_counts_once_as_a_report_and_three_times_as_children(figures) -> None:
    assert figures["reports_received"] == 5
    assert figures["children"] == 6
    assert figures["queue_items"] == 7


def test_skyddsbedomning_within_24_hours_counts_every_due_assessment_and_exactly_24_hours_is_in_time(figures) -> None:
    assert figures["protection_assessments_due"] == 6
    assert figures["protection_within_24h_count"] == 4
    assert figures["protection_within_24h"] == pytest.approx(4 / 6, abs=1e-4)
    assert figures["protection_overdue"] == 1


def test_a_corrected_decision_keeps_its_first_signature_time_and_takes_the_corrected_outcome(figures) -> None:
    assert figures["decisions"] == 4
    assert figures["outcomes"] == {"inleda_utredning": 3, "inte_inleda_utredning": 0,
                                   "tillfors_pagaende_utredning": 1, "vidarebefordras": 0}
    assert figures["investigated"] == 3
    assert figures["share_investigated"] == 0.75


def test_decisions_within_14_days_with_extension_and_late_share_the_due_decisions(figures) -> None:
    assert figures["decisions_due"] == 5
    assert (figures["decisions_within_14_days_count"], figures["decisions_with_extension_count"],
            figures["decisions_late_count"]) == (2, 1, 2)
    assert figures["decisions_within_14_days"] == 0.4
    assert figures["decisions_with_extension"] == 0.2
    assert figures["decisions_late"] == 0.4
    assert figures["extensions_signed"] == 1
    assert figures["decisions_overdue"] == 1


def test_median_and_90th_percentile_days_from_receipt_to_the_first_signed_decision(figures) -> None:
    # 3.0, 7.0, 16.08, 18.0 days
    assert figures["median_days_to_decision"] == 11.5
    assert figures["p90_days_to_decision"] == 18.0


def test_repeat_children_count_reports_in_the_12_months_that_end_with_the_period(figures) -> None:
    # A: 3 reports; F: 5 inside the window (the sixth is one hour before it)
    assert figures["children_with_2_plus_reports_12m"] == 2
    assert figures["children_with_5_plus_reports_12m"] == 1


def test_concern_categories_count_each_report_once_per_category(figures) -> None:
    assert figures["reports_by_concern_category"] == {
        "annat": 1, "bevittnat_vald": 1, "forsummelse": 2, "missbruk_vardnadshavare": 1,
        "skolfranvaro": 1, "vald_mot_barn": 1,
    }


def test_age_at_receipt_and_sex_from_the_personnummer_count_each_child_of_each_report(figures) -> None:
    assert figures["child_reports_by_age_band"] == {
        "0-3": 1, "4-6": 2, "7-12": 3, "13-15": 0, "16-17": 0, "18+": 0, "unknown": 1,
    }
    assert figures["child_reports_by_sex"] == {"girl": 3, "boy": 2, "unknown": 2}


def test_violence_flagged_reports_and_their_outcomes(figures) -> None:
    assert figures["violence_flagged_items"] == 2
    assert figures["violence_flagged_reports"] == 2
    assert figures["violence_flagged_decisions"] == 1
    assert figures["violence_flagged_outcomes"]["inleda_utredning"] == 1
    assert figures["violence_share_investigated"] == 1.0


def test_aterkoppling_within_the_limit_counts_the_first_decisions_tasks_that_are_due(figures) -> None:
    assert figures["feedback_owed"] == 4
    assert figures["feedback_due"] == 3
    assert figures["feedback_within_limit_count"] == 1
    assert figures["feedback_within_limit"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["feedback_overdue"] == 1


def test_open_items_by_age_are_every_undecided_item_at_now(figures) -> None:
    assert figures["open_items_by_age"] == {
        "under_1_day": 1, "1_to_7_days": 1, "7_to_14_days": 0, "over_14_days": 7,
    }


def test_reports_per_week_use_the_local_iso_week_of_receipt(figures) -> None:
    assert figures["reports_per_week_by_channel"] == [
        {"week": "2026-W45", "channel": "epost", "reports": 1},
        {"week": "2026-W45", "channel": "telefon", "reports": 1},
        {"week": "2026-W46", "channel": "etjanst", "reports": 1},
        {"week": "2026-W47", "channel": "telefon", "reports": 1},
        {"week": "2026-W48", "channel": "brev", "reports": 1},
    ]
    assert figures["reports_per_week_by_reporter_category"] == [
        {"week": "2026-W45", "reporter_category": "forskola", "reports": 1},
        {"week": "2026-W45", "reporter_category": "skola", "reports": 1},
        {"week": "2026-W46", "reporter_category": "polis", "reports": 1},
        {"week": "2026-W47", "reporter_category": "privatperson", "reports": 1},
        {"week": "2026-W48", "reporter_category": "skola", "reports": 1},
    ]


def test_statistics_are_for_seniors_and_administrators_and_each_look_is_audited(
    database: Database, worker: Actor, senior: Actor, admin: Actor, now: datetime
) -> None:
    with pytest.raises(PermissionDenied), database.transaction() as session:
        compute_figures(session, worker, NOVEMBER, now=now)
    with database.transaction() as session:
        assert compute_figures(session, admin, NOVEMBER, now=now)["reports_received"] == 0
    with database.transaction() as session:
        events = session.execute(select(AuditEvent).where(AuditEvent.action == "statistics_viewed")).scalars().all()
    assert [e.actor for e in events] == [admin.username]


def test_an_empty_period_has_no_shares_rather_than_zero(
    database: Database, senior: Actor, now: datetime
) -> None:
    with database.transaction() as session:
        figures = compute_figures(session, senior, NOVEMBER, now=now)
    assert figures["share_investigated"] is None
    assert figures["median_days_to_decision"] is None
    assert figures["protection_within_24h"] is None
