"""The registration form records what a complete report contains: derived from the form as
it is filled in, the rest answered by the worker; the figures per organisation agree."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import Report, ReportCompleteness
from mottagning.stats.completeness import completeness_by_organisation
from mottagning.stats.period import Period
from mottagning.timeutil import to_local
from tests.ui.conftest import WAIT_MS
from tests.ui.intake.test_register_dialog import open_dialog, wait_ready
from ui.operations import Operations


def _fill_minimal(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.category.setCurrentIndex(max(0, dialog.category.findData("skola")))
    dialog.reporter["name"].setText("Karin Ek")
    dialog.reporter["organisation"].setText("Kvarnbackens skola")
    dialog.children_section.rows[0].edits["name"].setText("Ella Andersson")
    dialog.description.setPlainText("Ella kom till skolan med ett blåmärke.")
    dialog.concerns.item(0).setCheckState(Qt.CheckState.Checked)


def test_the_form_shows_what_is_missing_and_registers_it_as_the_figures_count_it(
    database: Database, worker: Actor, senior: Actor, ops: Operations, qtbot: QtBot, now: datetime
) -> None:
    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    _fill_minimal(dialog)
    text = dialog.completeness.text()
    assert text.startswith("Saknas i anmälan: ")
    for element in ("barnets identitet", "om vårdnadshavarna känner till anmälan",
                    "anmälarens kontaktuppgifter"):
        assert element in text
    assert "iakttagits" not in text  # not judged yet is not missing

    dialog.children_section.rows[0].edits["personnummer"].setText("20150312-2382")
    dialog.reporter["phone"].setText("0243-123 45")
    dialog.guardians_informed.setCurrentIndex(dialog.guardians_informed.findData(True))
    dialog.observation.setCurrentIndex(dialog.observation.findData(True))
    assert dialog.completeness.text() == "Saknas i anmälan: vad som iakttagits och när."
    assert dialog.collect_draft()["observation_missing"] is True

    with qtbot.wait_signal(dialog.sig_registered, timeout=WAIT_MS):
        dialog.register()
        assert dialog.problems.isHidden(), dialog.problems.text()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    with database.transaction() as session:
        report = session.execute(select(Report)).scalar_one()
        assert report.guardians_informed is True
        judged = session.get(ReportCompleteness, report.id)
        assert judged is not None and judged.observation_missing is True
        assert judged.recorded_by_id == worker.user_id
        today = to_local(report.received_at).date()
        (school,) = completeness_by_organisation(session, senior, Period(today, today), now=now)
    assert (school.organisation, school.reports) == ("Kvarnbackens skola", 1)
    assert school.missing == {"child_identity": 0, "observation": 1, "guardians_informed": 0,
                              "reporter_contact": 0}


def test_an_assistant_registers_without_judging_the_text(
    database: Database, assistant: Actor, ops: Operations, qtbot: QtBot
) -> None:
    dialog = open_dialog(ops, assistant, qtbot)
    wait_ready(dialog, qtbot)
    assert not dialog.observation.isVisible()
    _fill_minimal(dialog)
    dialog.children_section.rows[0].edits["personnummer"].setText("20150312-2382")
    with qtbot.wait_signal(dialog.sig_registered, timeout=WAIT_MS):
        dialog.register()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    with database.transaction() as session:
        report = session.execute(select(Report)).scalar_one()
        assert report.guardians_informed is None
        assert session.get(ReportCompleteness, report.id) is None
