"""More time for the decision, corrections of signed decisions, and returned proposals put back
into the form: requested in the main window or the pane, signed or returned in "Att signera"."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.extensions import extension_phrase, request_extension
from mottagning.decisions.proposals import return_decision
from mottagning.models import QueueItem
from mottagning.models.decisions import DeadlineExtension, Decision
from mottagning.timeutil import format_date_sv, to_local
from tests.core.decision_helpers import (
    NOT_OPENED,
    OPENED,
    item_in_assessment,
    propose,
    sign,
    version_of,
)
from ui.decisions.signoff_pane import SignoffPane
from ui.operations import Operations

WAIT_MS = 10_000
SIGNOFF = ("ui.decisions.signoff_pane",)


def _pane(ops: Operations, actor: Actor, qtbot: QtBot, now: datetime | None = None) -> SignoffPane:
    pane = SignoffPane(ops, actor) if now is None else SignoffPane(ops, actor, clock=lambda: now)
    qtbot.addWidget(pane)
    pane.show()
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        pane.refresh()
    return pane


def _window_on(make_window, actor: Actor, item_id: int, qtbot: QtBot):  # type: ignore[no-untyped-def]
    window = make_window(actor, extensions=SIGNOFF)
    assert window.select_item(item_id)
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    return window


def _extensions(database: Database, item_id: int) -> list[DeadlineExtension]:
    with database.transaction() as session:
        rows = session.scalars(select(DeadlineExtension).where(DeadlineExtension.item_id == item_id)).all()
        session.expunge_all()
        return list(rows)


def test_worker_requests_more_time_and_a_senior_signs_it_keeping_both_dates(
    database: Database, ops: Operations, make_window, worker: Actor, senior: Actor, now: datetime,
    qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    window = _window_on(make_window, worker, item_id, qtbot)
    assert window.extensions[SIGNOFF[0]].extension_action.action.isEnabled()
    dialog = window.extensions[SIGNOFF[0]].extension_action.open()
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.autosaver.active, timeout=WAIT_MS)
    assert dialog.reason.hasFocus()
    qtbot.keyClicks(dialog.reason, "Polisen har inte hallit forhor med barnet an.")
    requested = dialog.new_date.date().toPython()
    with qtbot.wait_signal(dialog.sig_requested, timeout=WAIT_MS):
        qtbot.keyClick(dialog.new_date, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.extensions[SIGNOFF[0]].extension_action.extension_dialog is None, timeout=WAIT_MS)
    [extension] = _extensions(database, item_id)
    assert extension.status == "awaiting"

    pane = _pane(ops, senior, qtbot, now)
    assert pane.extensions.count() == 1 and pane.list.count() == 0
    assert format_date_sv(extension.new_due) in pane.extensions.item(0).text()
    pane.extensions.setCurrentRow(0)  # nothing is opened until the reviewer chooses it
    qtbot.waitUntil(lambda: "Ingen skyddsbedömning" in pane.report.toPlainText()
                    or "Skyddsbedömning" in pane.report.toPlainText(), timeout=WAIT_MS)
    text = pane.proposal.toPlainText()
    assert "Polisen har inte hallit forhor" in text
    assert f"Ursprunglig tidsfrist: {format_date_sv(extension.original_due)}" in text
    assert f"Begärt nytt datum: {format_date_sv(requested)}" in text

    pane.sign_button.setFocus()
    qtbot.keyClick(pane.sign_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: pane.signature_dialog is not None and pane.signature_dialog.isVisible(),
                    timeout=WAIT_MS)
    pane.signature_dialog.secret.setText(extension_phrase(extension.new_due))
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(pane.signature_dialog.secret, Qt.Key.Key_Return)
    assert blocker.args == [0]
    with database.transaction() as session:
        item = session.get(QueueItem, item_id)
        assert item.decision_due == extension.original_due
        assert item.decision_due_extended == extension.new_due
    assert _extensions(database, item_id)[0].signed_by_id == senior.user_id

    # the worker's detail pane keeps the original date beside the extended one
    window.detail.show_item(item_id)
    expected = f"(förlängd från {format_date_sv(extension.original_due)})"
    qtbot.waitUntil(lambda: any(expected in label.text() for label in window.detail.findChildren(QLabel)),
                    timeout=WAIT_MS)


def test_a_request_without_reasons_is_refused_and_nothing_is_saved(
    database: Database, make_window, worker: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    window = _window_on(make_window, worker, item_id, qtbot)
    dialog = window.extensions[SIGNOFF[0]].extension_action.open()
    qtbot.waitUntil(lambda: dialog.autosaver.active, timeout=WAIT_MS)
    dialog.submit()
    qtbot.waitUntil(lambda: window.ops.errors.box is not None and window.ops.errors.box.isVisible(),
                    timeout=WAIT_MS)
    assert "synnerliga skälen" in window.ops.errors.box.text()
    assert dialog.isVisible()
    assert _extensions(database, item_id) == []
    window.ops.errors.box.close()


def test_senior_returns_a_request_for_more_time_with_a_comment(
    database: Database, ops: Operations, make_window, worker: Actor, senior: Actor, now: datetime,
    qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    window = _window_on(make_window, worker, item_id, qtbot)
    dialog = window.extensions[SIGNOFF[0]].extension_action.open()
    qtbot.waitUntil(lambda: dialog.autosaver.active, timeout=WAIT_MS)
    dialog.reason.insertPlainText("Väntar på läkarintyg.")
    with qtbot.wait_signal(dialog.sig_requested, timeout=WAIT_MS):
        dialog.submit()

    pane = _pane(ops, senior, qtbot, now)
    pane.extensions.setCurrentRow(0)
    qtbot.waitUntil(lambda: pane.extension is not None and pane.return_button.isEnabled(), timeout=WAIT_MS)
    pane.return_proposal()
    pane.return_dialog.comment.insertPlainText("Det är inte synnerliga skäl; besluta nu.")
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        pane.return_dialog.accept()
    [extension] = _extensions(database, item_id)
    assert extension.status == "returned"
    assert extension.return_comment == "Det är inte synnerliga skäl; besluta nu."
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).decision_due_extended is None


def test_correction_of_a_signed_decision_is_prefilled_and_shown_as_a_correction_to_sign(
    database: Database, ops: Operations, make_window, worker: Actor, senior: Actor, now: datetime,
    qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    signed_id = propose(database, worker, item_id, OPENED, now=now)
    sign(database, senior, signed_id, now=now)
    window = make_window(worker, extensions=SIGNOFF)
    qtbot.waitUntil(lambda: window.select_item(item_id), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.extensions[SIGNOFF[0]].correction_action.action.isEnabled(), timeout=WAIT_MS)
    assert not window.extensions[SIGNOFF[0]].extension_action.action.isEnabled()  # decided: no more time needed

    window.extensions[SIGNOFF[0]].correction_action.action.trigger()
    qtbot.waitUntil(lambda: window.extensions[SIGNOFF[0]].correction_action.correction_dialog is not None, timeout=WAIT_MS)
    dialog = window.extensions[SIGNOFF[0]].correction_action.correction_dialog
    qtbot.waitUntil(lambda: dialog.autosaver.active, timeout=WAIT_MS)
    assert dialog.motivation.toPlainText() == OPENED.motivation
    assert dialog.outcome.currentData() == OPENED.outcome
    assert f"Rättelse av beslut {signed_id}" in dialog.notice.text()
    dialog.correction_reason.insertPlainText("Fel uppgift om vem som anmält.")
    dialog.motivation.setPlainText("Uppgifterna från förskolan behöver utredas.")
    with qtbot.wait_signal(dialog.sig_proposed, timeout=WAIT_MS) as blocker:
        dialog.submit()
    correction_id = blocker.args[0]
    qtbot.waitUntil(lambda: window.extensions[SIGNOFF[0]].correction_action.correction_dialog is None, timeout=WAIT_MS)

    pane = _pane(ops, senior, qtbot, now)
    assert f"RÄTTELSE av beslut {signed_id}" in pane.list.item(0).text()
    pane.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    text = pane.proposal.toPlainText()
    assert f"RÄTTELSE av beslut {signed_id}" in text
    assert "Skäl till rättelsen: Fel uppgift om vem som anmält." in text
    with database.transaction() as session:
        old, new = session.get(Decision, signed_id), session.get(Decision, correction_id)
        assert old.status == "signed" and old.motivation == OPENED.motivation
        assert new.corrects_decision_id == signed_id and new.status == "awaiting"
        assert new.motivation == "Uppgifterna från förskolan behöver utredas."



def test_returned_proposal_opens_prefilled_by_keyboard_and_proposing_again_replaces_it(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    returned_id = propose(database, worker, item_id, NOT_OPENED, now=now)
    with database.transaction() as session:
        return_decision(session, senior, returned_id, comment="Ring skolan först.",
                        expected_version=version_of(database, returned_id), now=now)
    pane = _pane(ops, worker, qtbot, now)
    assert pane.returned.count() == 1
    pane.returned.setFocus()
    pane.returned.setCurrentRow(0)
    qtbot.keyClick(pane.returned, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.proposal_dialog is not None, timeout=WAIT_MS)
    dialog = pane.proposal_dialog
    qtbot.waitUntil(lambda: dialog.autosaver.active, timeout=WAIT_MS)
    assert "Ring skolan först." in dialog.notice.text() and dialog.notice.isVisible()
    assert dialog.motivation.toPlainText() == NOT_OPENED.motivation
    assert dialog.open_support.isChecked()
    dialog.motivation.moveCursor(dialog.motivation.textCursor().MoveOperation.End)
    dialog.motivation.insertPlainText(" Skolan bekräftar.")
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        dialog.submit()
    assert pane.returned.count() == 0
    assert pane.proposal_dialog is None
    with database.transaction() as session:
        decisions = session.scalars(select(Decision).where(Decision.item_id == item_id)
                                    .order_by(Decision.id)).all()
        assert [d.status for d in decisions] == ["superseded", "awaiting"]
        assert decisions[1].motivation == NOT_OPENED.motivation + " Skolan bekräftar."


def test_moving_from_a_request_to_a_proposal_makes_the_buttons_act_on_the_proposal(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    first = item_in_assessment(database, worker, now=now)
    second = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, first, now=now)
    with database.transaction() as session:
        due = session.get(QueueItem, second).decision_due
        request_extension(session, worker, second, reason="Väntar på förhör.",
                          new_date=to_local(due).date() + timedelta(days=10), now=now)
    pane = _pane(ops, senior, qtbot, now)
    pane.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    pane.extensions.setFocus()
    pane.extensions.setCurrentRow(0)
    assert pane.extension is not None and pane.list.currentItem() is None
    pane.list.setCurrentRow(0)
    assert pane.extension is None and pane.extensions.currentItem() is None
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    assert pane.detail.decision.id == decision_id
    assert "BEGÄRAN" not in pane.proposal.toPlainText()
