"""Every unsaved draft is offered at start-up, not only when its form is opened again."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from mottagning.access.drafts import save_draft
from mottagning.context import Actor
from mottagning.db.database import Database
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS


def test_start_up_offers_every_unsaved_draft_and_opens_its_form(
    database: Database, worker: Actor, make_window, qtbot: QtBot, now
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        save_draft(session, worker, kind="register_report", key="new",
                   content={"description": "Mamma sover på dagarna."}, now=now)
        save_draft(session, worker, kind="decision_proposal", key=str(item_id),
                   content={"motivation": "Oro kvarstår."}, now=now + timedelta(minutes=3))
    window = make_window(worker, extensions=("ui.decisions.signoff_pane",))
    bar = window.unsaved_drafts
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert bar.label.text().startswith("Du har 2 osparade utkast:")
    assert f"Beslutsförslag, ärende {item_id}" in bar.label.text()
    assert [b.text() for b in bar.open_buttons] == ["Öppna: Beslutsförslag", "Öppna: Ny anmälan"]
    bar.open_buttons[1].click()
    qtbot.waitUntil(lambda: window.register_dialog is not None
                    and window.register_dialog.offer.isVisible(), timeout=WAIT_MS)
    assert bar.label.text().startswith("Du har 1 osparat utkast:")
    window.register_dialog.reject()
    bar.open_buttons[0].click()
    qtbot.waitUntil(lambda: getattr(window, "proposal_dialog", None) is not None, timeout=WAIT_MS)
    assert window.selected_item_id() == item_id
    dialog = window.proposal_dialog
    qtbot.waitUntil(lambda: dialog.motivation.toPlainText() == "Oro kvarstår.", timeout=WAIT_MS)
    assert not bar.isVisible()
    dialog.reject()


def test_no_bar_without_drafts(database: Database, worker: Actor, make_window, qtbot: QtBot) -> None:
    window = make_window(worker)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    assert not window.unsaved_drafts.isVisible()


def test_a_concern_correction_and_an_assessment_conflict_left_unsaved_open_their_screens(
    database: Database, worker: Actor, make_window, qtbot: QtBot, now
) -> None:
    from mottagning.assessment import service as svc
    from mottagning.intake.concern_flags import CORRECTION_DRAFT_KIND, correction_draft_key
    from mottagning.models import QueueItem

    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        report_id = session.get(QueueItem, item_id).report_id
        assessment_id = svc.start_or_resume(session, worker, item_id, now=now).id
        save_draft(session, worker, kind=CORRECTION_DRAFT_KIND,
                   key=correction_draft_key(report_id),
                   content={"codes": ["forsummelse"], "reason": "Fel kod vid registreringen."},
                   now=now)
        svc.keep_conflict_draft(session, worker, assessment_id, field=svc.ANSWER,
                                question_id="vald", value="ja")
    window = make_window(worker)
    bar = window.unsaved_drafts
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    texts = sorted(b.text() for b in bar.open_buttons)
    assert texts == ["Öppna: Rättelse av orsaker till oro",
                     "Öppna: Skyddsbedömning: svar som krockade med en kollegas"]
    by_text = {b.text(): b for b in bar.open_buttons}
    by_text["Öppna: Rättelse av orsaker till oro"].click()
    pane = window.detail
    qtbot.waitUntil(lambda: pane.concern_dialog is not None, timeout=WAIT_MS)
    dialog = pane.concern_dialog
    assert window.selected_item_id() == item_id
    qtbot.waitUntil(lambda: dialog.reason.toPlainText() == "Fel kod vid registreringen.",
                    timeout=WAIT_MS)
    dialog.reject()
    qtbot.waitUntil(lambda: pane.concern_dialog is None and window.ops.idle, timeout=WAIT_MS)

    (button,) = bar.open_buttons
    button.click()
    qtbot.waitUntil(lambda: pane.assessment_window is not None, timeout=WAIT_MS)
    screen = pane.assessment_window
    qtbot.waitUntil(lambda: (svc.ANSWER, "vald") in screen.conflicts, timeout=WAIT_MS)
    screen.conflicts[(svc.ANSWER, "vald")].dialog.cancel_button.click()
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    screen.close()
