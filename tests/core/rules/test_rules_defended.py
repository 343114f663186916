"""Rules of the domain that a changed line of code used to slip past: each is pinned here."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.delegation import FEEDBACK_LABELS_SV
from mottagning.decisions.proposals import ProposalInput
from mottagning.intake.reports import register_report
from mottagning.models import QueueItem, Report
from mottagning.models.decisions import FeedbackTask
from mottagning.rules import personnummer as pnr
from mottagning.rules.codes import codes
from tests.core.decision_helpers import OPENED, item_in_assessment, propose, sign
from tests.core.factories import register_simple, simple_report

VIOLENCE_CODES = ("vald_mot_barn", "bevittnat_vald", "sexuella_overgrepp", "hedersrelaterat",
                  "psykisk_misshandel")


def test_the_code_list_marks_exactly_the_five_violence_concerns() -> None:
    assert codes().violence_concerns == frozenset(VIOLENCE_CODES)


@pytest.mark.parametrize("code", sorted(codes().concern_categories))
def test_every_violence_code_and_no_other_flags_the_item(
    database: Database, worker: Actor, now, code: str
) -> None:
    item_id = register_simple(database, worker, now=now, concerns=(code,)).item_ids[0]
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).flag_violence is (code in VIOLENCE_CODES)


def _feedback_tasks(database: Database, item_id: int) -> list[FeedbackTask]:
    with database.transaction() as session:
        tasks = session.execute(select(FeedbackTask).where(FeedbackTask.item_id == item_id)).scalars().all()
        session.expunge_all()
        return list(tasks)


@pytest.mark.parametrize("category, anonymous, wants, expected", [
    ("skola", False, True, True),
    ("ordningsvakt", False, True, True),          # mandatory since 15 January 2026
    ("skola", False, False, False),               # did not ask
    ("privatperson", False, True, False),         # not a mandatory reporter
    ("yrkesverksam_ovrig", False, True, False),
    ("skola", True, True, False),                 # anonymous: nobody to answer
])
def test_an_aterkoppling_task_only_for_a_mandatory_named_reporter_who_asked(
    database: Database, worker: Actor, senior: Actor, now,
    category: str, anonymous: bool, wants: bool, expected: bool,
) -> None:
    report = dataclasses.replace(simple_report(received_at=now, category=category),
                                 reporter_anonymous=anonymous, reporter_wants_feedback=wants)
    if anonymous:
        report = dataclasses.replace(report, reporter_name=None, reporter_organisation=None,
                                     reporter_phone=None)
    with database.transaction() as session:
        item_id = register_report(session, worker, report, now=now).item_ids[0]
    from mottagning.queue.items import get_item, move_item
    from mottagning.rules.status import Status

    with database.transaction() as session:
        item = get_item(session, item_id)
        move_item(session, worker, item, Status.PROTECTION_ASSESSED, now=now)
    sign(database, senior, propose(database, worker, item_id, OPENED, now=now), now=now)
    tasks = _feedback_tasks(database, item_id)
    assert bool(tasks) is expected
    if expected:
        assert [t.content for t in tasks] == ["opened"]


def test_tillfors_pagaende_utredning_is_reported_back_as_already_under_way(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    added = ProposalInput(outcome="tillfors_pagaende_utredning", motivation="Utredning pågår.",
                          ongoing_investigation="Utredning från oktober")
    sign(database, senior, propose(database, worker, item_id, added, now=now), now=now)
    [task] = _feedback_tasks(database, item_id)
    assert task.content == "already_under_way"
    assert FEEDBACK_LABELS_SV[task.content] == "Utredning pågår redan"


@pytest.mark.parametrize("text, born", [
    ("150312+2382", date(1915, 3, 12)),   # "+": 100 years or older
    ("150312-2382", date(2015, 3, 12)),
    ("261124+0000", date(1926, 11, 24)),  # exactly 100 today
])
def test_the_plus_separator_puts_the_birth_100_years_back(text: str, born: date) -> None:
    parsed = pnr.parse(text, today=date(2026, 11, 24))
    assert parsed is not None and parsed.birth_date == born
    assert not any("Plustecken" in w for w in parsed.warnings)


@pytest.mark.parametrize("text", ["19300312+2382", "261125+0000"])
def test_a_plus_on_someone_younger_than_100_is_a_warning(text: str) -> None:
    parsed = pnr.parse(text, today=date(2026, 11, 24))
    assert parsed is not None
    assert "Plustecken i personnumret men personen är inte 100 år" in parsed.warnings


def test_category_anonym_never_stores_the_reporters_identity(
    database: Database, worker: Actor, now
) -> None:
    report = dataclasses.replace(simple_report(received_at=now, category="anonym"),
                                 reporter_anonymous=False)
    assert report.reporter_name == "Karin Ek"
    with database.transaction() as session:
        report_id = register_report(session, worker, report, now=now).report_id
    with database.transaction() as session:
        row = session.get(Report, report_id)
        assert row.reporter_anonymous
        assert (row.reporter_name, row.reporter_organisation, row.reporter_phone) == (None,) * 3
