"""Report completeness per reporting organisation: derived elements, the worker's judgement of
the text, and an organisation export that names no child."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.intake.reports import ChildInput, NewReport, register_report
from mottagning.stats.completeness import (
    ELEMENTS,
    UNKNOWN_ORGANISATION,
    completeness_by_organisation,
    export_completeness,
    missing_elements,
    record_observation,
)
from mottagning.stats.period import Period

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def _report(database: Database, actor: Actor, now: datetime, *, organisation: str | None,
            category: str = "skola", child: ChildInput, guardians_informed: bool | None,
            phone: str | None, anonymous: bool = False) -> int:
    with database.transaction() as session:
        return register_report(session, actor, NewReport(
            channel="telefon", received_at=now - timedelta(days=1), reporter_category=category,
            reporter_anonymous=anonymous, reporter_name=None if anonymous else "Karin Ek",
            reporter_organisation=organisation, reporter_phone=phone,
            concern_codes=("forsummelse",), description="Oro.", children=(child,),
            guardians_informed=guardians_informed,
        ), now=now).report_id


@pytest.fixture
def reports(database: Database, worker: Actor, now: datetime) -> dict[str, int]:
    school = "Kvarnbackens skola"
    made = {
        "complete": _report(database, worker, now, organisation=school, guardians_informed=True,
                            phone="0243-123 45",
                            child=ChildInput(name="Ella Andersson", personnummer="20150312-2382")),
        "lacking": _report(database, worker, now, organisation=school, guardians_informed=None,
                           phone=None, child=ChildInput(name="Okänd Elev")),
        "police": _report(database, worker, now, organisation=None, category="polis",
                          guardians_informed=None, phone="114 14",
                          child=ChildInput(name="Nils Holm", birth_date=date(2021, 2, 2))),
        "anonymous": _report(database, worker, now, organisation=None, category="anonym",
                             anonymous=True, guardians_informed=None, phone=None,
                             child=ChildInput(name="Saga Berg")),
    }
    with database.transaction() as session:
        record_observation(session, worker, made["complete"], missing=False, now=now)
        record_observation(session, worker, made["lacking"], missing=True, now=now)
    return made


def test_each_organisation_sees_how_often_its_reports_lack_each_element(
    database: Database, reports, senior: Actor, now: datetime
) -> None:
    with database.transaction() as session:
        rows = {(r.organisation, r.reporter_category): r
                for r in completeness_by_organisation(session, senior, NOVEMBER, now=now)}
    assert set(rows) == {("Kvarnbackens skola", "skola"), (UNKNOWN_ORGANISATION, "polis")}
    school = rows["Kvarnbackens skola", "skola"]
    assert school.reports == 2
    assert school.missing == {"child_identity": 1, "observation": 1, "guardians_informed": 1,
                              "reporter_contact": 1}
    assert school.observation_judged == 2
    police = rows[UNKNOWN_ORGANISATION, "polis"]
    assert police.missing == {"child_identity": 0, "observation": 0, "guardians_informed": 1,
                              "reporter_contact": 0}
    assert police.observation_judged == 0


def test_a_worker_records_the_observation_and_an_assistant_may_not(
    database: Database, reports, worker: Actor, assistant: Actor, now: datetime
) -> None:
    with pytest.raises(PermissionDenied), database.transaction() as session:
        record_observation(session, assistant, reports["police"], missing=True, now=now)
    with database.transaction() as session:
        record_observation(session, worker, reports["lacking"], missing=False, now=now)


def test_the_organisation_export_names_no_child(
    database: Database, reports, senior: Actor, now: datetime, tmp_path: Path
) -> None:
    path = tmp_path / "kvarnbacken.xlsx"
    with database.transaction() as session:
        assert export_completeness(session, senior, NOVEMBER, path, organisation="Kvarnbackens skola",
                                   now=now) == 1
    rows = list(load_workbook(path, read_only=True)["Fullständighet"].iter_rows(values_only=True))
    assert rows[1][:3] == ("Kvarnbackens skola", "Skola", 2)
    text = repr(rows)
    for name in ("Ella", "Okänd Elev", "Andersson", "2382", "Nils"):
        assert name not in text


def test_completeness_on_the_command_line(database: Database, now: datetime, capsys) -> None:
    import json

    import time_machine

    from mottagning.cli import main
    from mottagning.cli_support import current_actor

    actor = current_actor(database)
    report_id = _report(database, actor, now, organisation="Solrosens förskola", category="forskola",
                        guardians_informed=True, phone="0243-1", child=ChildInput(name="Liten"))
    with time_machine.travel(now, tick=False):
        assert main(["--db", database.url, "completeness", "--mark", str(report_id),
                     "--observation", "saknas"]) == 0
        capsys.readouterr()
        assert main(["--db", database.url, "completeness", "--json", "--from", "2026-11-01",
                     "--to", "2026-11-30"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["organisation"] == "Solrosens förskola" and row["reports"] == 1
    assert row["missing"] == {"child_identity": 1, "observation": 1, "guardians_informed": 0,
                              "reporter_contact": 0}


@pytest.mark.parametrize("observation_missing", [None, False, True])
def test_the_form_rule_and_the_figures_count_the_same_elements(
    database: Database, worker: Actor, senior: Actor, now: datetime,
    observation_missing: bool | None
) -> None:
    """`missing_elements` (what the registration form shows) and the SQL behind the figures
    say the same thing about every combination of what a report may lack."""
    cases = []
    for number, (identified, informed, phone, anonymous) in enumerate(
            itertools.product((True, False), (None, True, False), (None, "0243-123 45"), (False, True))):
        child = ChildInput(name=f"Barn {number}", birth_date=date(2016, 1, 1) if identified else None)
        report = NewReport(
            channel="telefon", received_at=now - timedelta(days=1),
            reporter_category="anonym" if anonymous else "skola", reporter_anonymous=anonymous,
            reporter_name=None if anonymous else "Karin Ek",
            reporter_organisation=None if anonymous else f"Skola {number}",
            reporter_phone=None if anonymous else phone, concern_codes=("forsummelse",),
            description="Oro.", children=(child,), guardians_informed=informed)
        with database.transaction() as session:
            report_id = register_report(session, worker, report, now=now).report_id
            if observation_missing is not None:
                record_observation(session, worker, report_id, missing=observation_missing, now=now)
        if not anonymous:  # anonymous reports have no organisation to tell
            cases.append((f"Skola {number}",
                          missing_elements(report, observation_missing=observation_missing)))
    with database.transaction() as session:
        counted = {row.organisation: row.missing
                   for row in completeness_by_organisation(session, senior, NOVEMBER, now=now)}
    for organisation, missing in cases:
        assert counted[organisation] == {e: int(e in missing) for e in ELEMENTS}, organisation
