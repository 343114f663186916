"""Follow-up where a worker looks: the Uppföljning page (återkoppling due, anmälningsmöten
under way) and the detail pane's section, recording on the report what was done."""

from __future__ import annotations

from datetime import datetime

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.letters.model import LetterKind
from mottagning.letters.profile import put_profile
from mottagning.letters.service import mark_printed, mark_sent
from mottagning.models import FeedbackGiven, IssuedLetter, ReportCompleteness, ReportMeeting
from tests.core.letters.test_letters_service import PROFILE
from tests.core.stats import dataset
from tests.ui.conftest import WAIT_MS

AREA = "ui.stats.dashboard"


def _row(page, item_id: int) -> int:  # type: ignore[no-untyped-def]
    return next(n for n, task in enumerate(page.feedback) if task.item_id == item_id)


def test_the_uppfoljning_page_lists_aterkoppling_due_and_records_how_it_was_given(
    database: Database, worker: Actor, senior: Actor, make_window, qtbot: QtBot
) -> None:
    built = dataset.build(database, worker, senior)
    window = make_window(worker, extensions=(AREA,))
    page = window.extensions[AREA].follow_up
    assert page is not None and window.extensions[AREA].page is None  # a worker: no Statistik
    qtbot.wait(200)
    assert page.feedback_table.rowCount() == 0  # nothing read before the tab is shown
    window.pages.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.feedback_table.rowCount() == 3, timeout=WAIT_MS)
    c1 = built.items["C1"]
    assert [page.feedback_table.item(n, 0).text() for n in range(3)] == [
        str(built.items["B1"]), str(c1), str(built.items["B1"])]
    row = _row(page, c1)
    assert page.feedback_table.item(row, 2).text() == "Utredning har inletts"
    assert page.feedback_table.item(row, 3).text() == "22 november 2026"
    assert page.feedback_table.item(row, 4).text() == "Försenad"
    with qtbot.wait_signal(window.detail.sig_loaded, timeout=WAIT_MS):  # a double click opens it
        page.feedback_table.cellDoubleClicked.emit(row, 0)
    assert window.detail.item_id == c1
    assert "3 väntar, varav 2 försenade" in page.feedback_summary.text()
    assert not page.phone_button.isEnabled()
    page.feedback_table.selectRow(row)
    assert page.phone_button.isEnabled()
    with qtbot.wait_signal(page.sig_loaded, timeout=WAIT_MS):
        page.phone_button.click()
    qtbot.waitUntil(lambda: page.feedback_table.rowCount() == 2, timeout=WAIT_MS)
    assert c1 not in [task.item_id for task in page.feedback]
    with database.transaction() as session:
        given = session.execute(select(FeedbackGiven)).scalar_one()
        assert (given.method, given.recorded_by_id) == ("phone", worker.user_id)


def test_the_aterkoppling_letter_is_one_click_and_closes_the_task_when_sent(
    database: Database, worker: Actor, senior: Actor, admin: Actor, make_window, qtbot: QtBot
) -> None:
    built = dataset.build(database, worker, senior)
    with database.transaction() as session:
        put_profile(session, admin, PROFILE)
    window = make_window(worker, extensions=(AREA,))
    page = window.extensions[AREA].follow_up
    window.pages.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.feedback_table.rowCount() == 3, timeout=WAIT_MS)
    c1 = built.items["C1"]
    page.feedback_table.selectRow(_row(page, c1))
    dialog = page.open_letter()
    assert dialog is not None and dialog.item_id == c1
    assert dialog.current_kind() == LetterKind.ATERKOPPLING
    dialog.street.setText("Kvarnbacksvägen 1")
    dialog.postal_code.setText("78433")
    dialog.city.setText("Borlänge")
    qtbot.waitUntil(lambda: dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    with qtbot.wait_signal(dialog.sig_issued, timeout=WAIT_MS):
        dialog.approve(print_after=False)
    row = _row(page, c1)
    qtbot.waitUntil(lambda: page.feedback[_row(page, c1)].letter_waiting, timeout=WAIT_MS)
    assert page.feedback_table.item(_row(page, c1), 4).text() == "Brev godkänt, inte skickat – försenad"
    with database.transaction() as session:
        letter = session.scalars(select(IssuedLetter)).one()
        assert (letter.kind, letter.item_id) == ("aterkoppling", c1)
        mark_printed(session, worker, [letter.id])
        mark_sent(session, worker, [letter.id])
    page.refresh()
    qtbot.waitUntil(lambda: page.feedback_table.rowCount() == 2, timeout=WAIT_MS)
    assert row is not None and c1 not in [task.item_id for task in page.feedback]


def test_the_detail_pane_records_the_anmalningsmote_offered_booked_and_held(
    database: Database, worker: Actor, senior: Actor, now: datetime, make_window, qtbot: QtBot
) -> None:
    built = dataset.build(database, worker, senior)
    window = make_window(worker, extensions=(AREA,))
    area = window.extensions[AREA]
    section, page = area.report_section, area.follow_up
    item = built.items["A1"]
    with qtbot.wait_signal(section.sig_loaded, timeout=WAIT_MS):
        window.show_item(item)
    qtbot.waitUntil(lambda: section.section is not None, timeout=WAIT_MS)
    assert section.meeting_label.text() == "Anmälningsmöte: inget erbjudet ännu."
    with qtbot.wait_signal(section.sig_loaded, timeout=WAIT_MS):
        section.buttons["meeting_offered"].click()
    qtbot.waitUntil(lambda: section.meeting_label.text() == "Anmälningsmöte: erbjudet", timeout=WAIT_MS)
    window.pages.setCurrentWidget(page)  # the Uppföljning tab reads when shown, then follows
    qtbot.waitUntil(lambda: page.meeting_table.rowCount() == 1, timeout=WAIT_MS)
    assert page.meeting_table.item(0, 3).text() == "Erbjudet"

    section.buttons["meeting_booked"].click()
    booking = section.meeting_actions.book_dialog
    assert booking is not None and booking.isVisible()
    # the next weekday at 10.00 local time: Wednesday 25 November 2026
    assert booking.when.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-25 10:00"
    with qtbot.wait_signal(section.sig_loaded, timeout=WAIT_MS):
        booking.accept()
    qtbot.waitUntil(lambda: "bokat 25 november 2026 kl. 10.00" in section.meeting_label.text(),
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.meeting_table.item(0, 3).text() == "Bokat", timeout=WAIT_MS)
    assert page.meeting_table.item(0, 4).text() == "25 november 2026 kl. 10.00"

    page.meeting_table.selectRow(0)
    page.held_button.click()
    qtbot.waitUntil(lambda: page.meeting_table.rowCount() == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: section.meeting_label.text() == "Anmälningsmöte: genomfört", timeout=WAIT_MS)
    with database.transaction() as session:
        steps = session.execute(select(ReportMeeting.status).order_by(ReportMeeting.id)).scalars().all()
    assert steps == ["offered", "booked", "held"]


def test_the_detail_pane_records_whether_the_report_says_what_was_observed_and_when(
    database: Database, worker: Actor, senior: Actor, make_window, qtbot: QtBot
) -> None:
    built = dataset.build(database, worker, senior)
    window = make_window(worker, extensions=(AREA,))
    section = window.extensions[AREA].report_section
    with qtbot.wait_signal(section.sig_loaded, timeout=WAIT_MS):
        window.show_item(built.items["C1"])
    qtbot.waitUntil(lambda: section.section is not None, timeout=WAIT_MS)
    assert section.observation_label.text() == "Framgår vad som iakttagits och när? inte bedömt"
    with qtbot.wait_signal(section.sig_loaded, timeout=WAIT_MS):
        section.buttons["observation_no"].click()
    qtbot.waitUntil(lambda: section.observation_label.text().endswith("nej, det saknas"), timeout=WAIT_MS)
    with database.transaction() as session:
        judged = session.get(ReportCompleteness, built.reports["R1"])
        assert judged is not None and judged.observation_missing and judged.recorded_by_id == worker.user_id


def test_an_assistant_has_no_uppfoljning(assistant: Actor, make_window) -> None:
    window = make_window(assistant, extensions=(AREA,))
    assert window.extensions[AREA].follow_up is None
    assert window.extensions[AREA].report_section is None
