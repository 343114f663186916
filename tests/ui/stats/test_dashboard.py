"""The Statistik page: the same figures as the core, each with its Swedish definition, the
XLSX export from the page, and the inflow watch reaching the alarm banner."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import time_machine
from openpyxl import load_workbook
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from mottagning.access.users import current_os_account
from mottagning.cli import main
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import User
from mottagning.stats.completeness import completeness_by_organisation
from mottagning.stats.definitions import BY_KEY, HEADLINE
from mottagning.stats.figures import compute_figures
from mottagning.stats.period import Period
from tests.core.stats import dataset
from tests.core.stats.test_inflow import _reports, _series
from tests.ui.conftest import WAIT_MS
from ui.stats.dashboard import format_value

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


def test_the_page_reads_like_a_committee_report_and_agrees_with_stats_json_figure_by_figure(
    database: Database, worker: Actor, senior: Actor, now: datetime, make_window, qtbot: QtBot,
    capsys
) -> None:
    dataset.build(database, worker, senior)
    with database.transaction() as session:  # the senior on the command line too
        user = session.get(User, senior.user_id)
        assert user is not None
        user.os_account = current_os_account()
    page = _open_page(make_window(senior, extensions=(AREA,)), qtbot)
    with time_machine.travel(now, tick=False):
        assert main(["--db", database.url, "stats", "--json", "--from", "2026-11-01",
                     "--to", "2026-11-30"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert page.dashboard.figures.as_json() == output
    for definition in HEADLINE:
        assert page.values[definition.key].text() == format_value(output[definition.key], definition.kind)
        beside = page.definitions[definition.key]
        assert beside.text() == definition.definition and beside.isVisibleTo(page)
    assert page.heading.text().startswith("Mottagningens statistik 1 november 2026 – 30 november 2026")
    with database.transaction() as session:
        organisations = completeness_by_organisation(session, senior, NOVEMBER, now=now)
    assert page.completeness.table.rowCount() == len(organisations) > 0
    first = organisations[0]
    assert page.completeness.table.item(0, 0).text() == first.organisation
    assert page.completeness.table.item(0, 2).text() == str(first.reports)


def test_the_completeness_of_one_organisation_is_exported_naming_no_child(
    database: Database, worker: Actor, senior: Actor, make_window, qtbot: QtBot, tmp_path: Path
) -> None:
    dataset.build(database, worker, senior)
    page = _open_page(make_window(senior, extensions=(AREA,)), qtbot)
    table = page.completeness
    assert not table.export_one_button.isEnabled()
    table.table.selectRow(0)
    assert table.export_one_button.isEnabled()
    chosen = table.selected()
    path = tmp_path / "skola.xlsx"
    with qtbot.wait_signal(table.sig_exported, timeout=WAIT_MS):
        table.export_to(path, organisation=chosen.organisation)
    rows = list(load_workbook(path, read_only=True)["Fullständighet"].iter_rows(values_only=True))
    assert rows[0][0] == "Organisation"
    # the organisation's rows, one per reporter category it reported as, and no other
    assert {row[0] for row in rows[1:]} == {chosen.organisation}
    assert sum(row[2] for row in rows[1:]) == sum(
        r.reports for r in table.rows if r.organisation == chosen.organisation)
    text = " ".join(str(value) for row in rows for value in row)
    assert "Ella" not in text and "Andersson" not in text
