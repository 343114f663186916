"""The Statistik page: the same figures as the core, each with its Swedish definition, the
XLSX export from the page, and the inflow watch reaching the alarm banner."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.stats.definitions import BY_KEY
from mottagning.stats.figures import compute_figures
from mottagning.stats.period import Period
from tests.core.stats import dataset
from tests.core.stats.test_inflow import _reports, _series
from tests.ui.conftest import WAIT_MS

AREA = "ui.stats.dashboard"
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def _open_page(window, qtbot: QtBot):  # type: ignore[no-untyped-def]
    page = window.extensions[AREA].page
    page.start.setDate(QDate(2026, 11, 1))
    page.end.setDate(QDate(2026, 11, 30))
    with qtbot.wait_signal(page.sig_loaded, timeout=WAIT_MS):
        window.pages.setCurrentWidget(page)
    if page.dashboard.figures.period != NOVEMBER:  # shown before the dates were set
        with qtbot.wait_signal(page.sig_loaded, timeout=WAIT_MS):
            page.refresh()
    return page


def test_the_page_shows_the_core_figures_with_their_swedish_definitions(
    database: Database, worker: Actor, senior: Actor, now: datetime, make_window, qtbot: QtBot
) -> None:
    dataset.build(database, worker, senior)
    page = _open_page(make_window(senior, extensions=(AREA,)), qtbot)
    with database.transaction() as session:
        figures = compute_figures(session, senior, NOVEMBER, now=now, audited=False)
    assert page.values["reports_received"].text() == "5"
    assert page.values["children"].text() == "6"
    assert page.values["share_investigated"].text() == "75,0 %"
    assert page.values["protection_within_24h"].text() == "66,7 %"
    assert page.values["median_days_to_decision"].text() == "11,5"
    assert page.dashboard.figures.values == figures.values
    assert page.values["decisions_within_14_days"].toolTip() == BY_KEY["decisions_within_14_days"].definition
    assert "tre barn" in page.values["reports_received"].toolTip()
    series = page.week_chart.chart().series()[0]
    assert series.count() == 4  # one stacked set per channel that delivered
    assert series.barSets()[0].count() == 6  # every week of November, empty ones too
    assert page.charts["outcomes"].chart().title() == "Beslut per utfall"


def test_the_page_exports_the_same_figures_to_xlsx(
    database: Database, worker: Actor, senior: Actor, make_window, qtbot: QtBot, tmp_path: Path
) -> None:
    dataset.build(database, worker, senior)
    page = _open_page(make_window(senior, extensions=(AREA,)), qtbot)
    path = tmp_path / "statistik.xlsx"
    with qtbot.wait_signal(page.sig_exported, timeout=WAIT_MS):
        page.export_to(path, publication=False)
    rows = list(load_workbook(path, read_only=True)["Nyckeltal"].iter_rows(values_only=True))
    exported = {key: value for key, _label, value, _definition in rows[1:]}
    for key, label in page.values.items():
        assert exported[key] == page.dashboard.figures[key], key
        assert label.text()


def test_a_worker_has_no_statistics_page(worker: Actor, make_window) -> None:
    window = make_window(worker, extensions=(AREA,))
    assert window.extensions[AREA].page is None
    assert all(window.pages.tabText(i) != "Statistik" for i in range(window.pages.count()))


def test_a_dwindling_channel_reaches_every_users_alarm_banner(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
) -> None:
    _reports(database, worker, _series(now, [5] * 8 + [0]), channel="fax")
    window = make_window(worker, extensions=("ui.intake.install", AREA))
    banner = window.extensions["ui.intake.install"].banner
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=WAIT_MS)
    assert "minskat inflöde (1)" in banner.label.text()
