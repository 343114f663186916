"""Exports of the statistics: XLSX read back with openpyxl, CSV, small numbers for
publication, pseudonymous rows without names or free text, and `mottagning stats --json`."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook

from mottagning.cli import main
from mottagning.cli_support import current_actor
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.settings import put_setting
from mottagning.stats.export import export_figures, export_rows, underlying_rows
from mottagning.stats.figures import compute_figures
from mottagning.stats.period import Period
from tests.core.stats import dataset

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def built(database: Database, worker: Actor, senior: Actor) -> dataset.Dataset:
    return dataset.build(database, worker, senior)


def _sheet(path: Path, title: str) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    return [tuple(row) for row in workbook[title].iter_rows(values_only=True)]


def _export(database: Database, actor: Actor, now: datetime, path: Path, *, publication: bool,
            rows: bool = False):
    with database.transaction() as session:
        figures = compute_figures(session, actor, NOVEMBER, now=now)
        export_figures(session, actor, figures, path, publication=publication, now=now,
                       rows=underlying_rows(session, actor, NOVEMBER, now=now) if rows else None)
    return figures


def test_the_xlsx_holds_the_same_figures_as_the_core(
    database: Database, built, senior: Actor, now: datetime, tmp_path: Path
) -> None:
    path = tmp_path / "statistik.xlsx"
    figures = _export(database, senior, now, path, publication=False, rows=True)
    headline = {key: value for key, _label, value, _definition in _sheet(path, "Nyckeltal")[1:]}
    assert headline["reports_received"] == 5
    assert headline["children"] == 6
    assert headline["share_investigated"] == 0.75
    assert headline["median_days_to_decision"] == 11.5
    for key, value in headline.items():
        assert value == figures[key], key
    breakdowns = _sheet(path, "Fördelningar")
    assert ("outcomes", None, "inleda_utredning", 3) in breakdowns
    assert ("reports_per_week_by_channel", "2026-W46", "etjanst", 1) in breakdowns
    rows = _sheet(path, "Rader")
    assert len(rows) == 1 + 7


def test_a_publication_export_shows_figures_from_fewer_than_5_children_as_under_5(
    database: Database, built, senior: Actor, now: datetime, tmp_path: Path
) -> None:
    path = tmp_path / "publicering.xlsx"
    _export(database, senior, now, path, publication=True)
    headline = {key: value for key, _label, value, _definition in _sheet(path, "Nyckeltal")[1:]}
    assert headline["reports_received"] == 5
    assert headline["children"] == 6
    assert headline["decisions"] == "<5"  # 4 children
    assert headline["share_investigated"] == "<5"  # computed from 4 decisions
    assert headline["protection_within_24h"] == pytest.approx(0.6667)  # from 6 items
    assert headline["protection_overdue"] == "<5"
    assert headline["decisions_overdue"] == "<5"
    assert headline["feedback_within_limit"] == "<5"
    breakdowns = _sheet(path, "Fördelningar")
    assert ("outcomes", None, "inleda_utredning", "<5") in breakdowns
    assert ("outcomes", None, "vidarebefordras", 0) in breakdowns  # a zero reveals no one


def test_the_small_number_limit_is_a_setting(
    database: Database, built, senior: Actor, now: datetime, tmp_path: Path
) -> None:
    with database.transaction() as session:
        put_setting(session, "stats_small_number_limit", 10)
    path = tmp_path / "publicering.csv"
    _export(database, senior, now, path, publication=True)
    with path.open(encoding="utf-8-sig") as handle:
        rows = {row["Nyckel"]: row["Värde"] for row in csv.DictReader(handle) if not row["Vecka"]}
    assert rows["children"] == "<5" and rows["reports_received"] == "<5"


def test_underlying_rows_are_pseudonymous_and_carry_no_name_or_free_text(
    database: Database, built, senior: Actor, now: datetime, tmp_path: Path
) -> None:
    first, second = tmp_path / "rader.csv", tmp_path / "rader.xlsx"
    with database.transaction() as session:
        assert export_rows(session, senior, NOVEMBER, first, now=now) == 7
    with database.transaction() as session:
        export_rows(session, senior, NOVEMBER, second, now=now)
    text = first.read_text(encoding="utf-8-sig")
    for secret in ("Ella", "Andersson", "Karin", "Kvarnbacken", "Fritext", "2382", "20150312"):
        assert secret not in text
    with first.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["row_id"] for r in rows}) == 7
    assert len({r["report_id"] for r in rows}) == 5  # R1's three children share one report
    assert [r["row_id"] for r in rows] == [r[0] for r in _sheet(second, "Rader")[1:]]
    c1 = str(built.items["C1"])
    assert all(r["row_id"] != c1 for r in rows)
    timeliness = sorted(r["decision_timeliness"] for r in rows)
    assert timeliness == ["late", "overdue", "pending", "pending", "with_extension",
                          "within_14_days", "within_14_days"]


def test_stats_json_on_the_command_line_agrees_with_the_core(
    database: Database, now: datetime, capsys
) -> None:
    from tests.conftest import make_user

    actor = current_actor(database)  # the OS account's user: senior and administrator
    dataset.build(database, make_user(database, "anna", ["worker"]),
                  make_user(database, "maria", ["senior"]))
    with time_machine.travel(now, tick=False):
        assert main(["--db", database.url, "stats", "--json", "--from", "2026-11-01",
                     "--to", "2026-11-30"]) == 0
    output = json.loads(capsys.readouterr().out)
    with database.transaction() as session:
        expected = compute_figures(session, actor, NOVEMBER, now=now).as_json()
    assert output == expected
    assert output["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    for key in ("reports_received", "children", "share_investigated", "protection_within_24h",
                "decisions_within_14_days", "median_days_to_decision"):
        assert key in output
    assert 0 <= output["share_investigated"] <= 1


def test_a_bad_date_is_a_swedish_error(database: Database, capsys) -> None:
    current_actor(database)
    assert main(["--db", database.url, "stats", "--from", "2026-13-01"]) == 1
    assert "Ogiltigt datum" in capsys.readouterr().err
