"""Deadline breaches: the list with the recorded reasons, the count per month, the export."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.stats.breaches import (
    DECISION,
    PROTECTION,
    breaches_per_month,
    export_breaches,
    list_breaches,
)
from mottagning.stats.period import Period
from tests.core.stats import dataset

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
AUTUMN = Period(date(2026, 10, 1), date(2026, 11, 30))


@pytest.fixture
def built(database: Database, worker: Actor, senior: Actor) -> dataset.Dataset:
    return dataset.build(database, worker, senior)


def test_late_and_missing_assessments_and_decisions_are_listed_with_the_recorded_reason(
    database: Database, built, senior: Actor, now: datetime
) -> None:
    items = {v: k for k, v in built.items.items()}
    with database.transaction() as session:
        breaches = list_breaches(session, senior, NOVEMBER, now=now)
    found = [(items[b.item_id], b.kind, b.late_days, b.done_at is None, b.reason) for b in breaches]
    assert found == [
        ("B1", DECISION, 1.5, False, "Vårdnadshavarna kunde inte nås före fristen."),
        ("B1", PROTECTION, 0.2, False, None),  # 30 h: 6 h late
        ("F11", DECISION, 4.4, True, None),  # no decision, due 19 November
        ("D3", PROTECTION, 2.9, True, None),  # no skyddsbedömning, due 21 November 12:00
    ]
    # Exactly 24 h (F11) is in time; C1 is late for 14 days but covered by its signed extension.


def test_breaches_are_counted_per_month_of_receipt_for_every_month_of_the_period(
    database: Database, built, senior: Actor, now: datetime
) -> None:
    with database.transaction() as session:
        per_month = breaches_per_month(session, senior, AUTUMN, now=now)
    # October: A4 has had neither skyddsbedömning nor decision.
    assert per_month == [
        {"month": "2026-10", PROTECTION: 1, DECISION: 1},
        {"month": "2026-11", PROTECTION: 2, DECISION: 2},
    ]


def test_the_breach_export_holds_the_list_and_the_months(
    database: Database, built, senior: Actor, worker: Actor, now: datetime, tmp_path: Path
) -> None:
    path = tmp_path / "overskridanden.xlsx"
    with database.transaction() as session:
        assert export_breaches(session, senior, NOVEMBER, path, now=now) == 4
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook["Överskridanden"].iter_rows(values_only=True))
    assert rows[0][0] == "Ärende" and len(rows) == 5
    assert rows[1][1] == "Beslut efter 14 dagar" and rows[1][7].startswith("Vårdnadshavarna")
    assert list(workbook["Per månad"].iter_rows(values_only=True))[1] == ("2026-11", 2, 2)
    with pytest.raises(PermissionDenied), database.transaction() as session:
        list_breaches(session, worker, NOVEMBER, now=now)
