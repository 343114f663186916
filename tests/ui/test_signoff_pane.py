"""The sign-off pane, used by keyboard only: select, acknowledge violence, sign with the phrase."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from mottagning.db import Database
from mottagning.model_decisions import Decision
from mottagning.services.context import Actor
from mottagning.services.decisions import ProposalInput
from tests.core.decision_helpers import NOT_OPENED, item_in_assessment, propose
from ui.operations import Operations
from ui.signoff_pane import SignoffPane

WAIT_MS = 10_000


def test_senior_signs_a_violence_flagged_proposal_by_keyboard(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now, concerns=("vald_mot_barn",))
    proposal = ProposalInput(**{**NOT_OPENED.__dict__, "violence_reason": "Polisen utreder redan."})
    decision_id = propose(database, worker, item_id, proposal, now=now)
    pane = SignoffPane(ops, senior, clock=lambda: now)
    qtbot.addWidget(pane)
    pane.show()
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        pane.refresh()
    assert blocker.args == [1]
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    assert "Polisen utreder redan." in pane.proposal.toPlainText()
    assert "mamma sover" in pane.report.toPlainText()
    assert not pane.sign_button.isEnabled()  # the violence flag is not yet acknowledged

    pane.violence.setFocus()
    qtbot.keyClick(pane.violence, Qt.Key.Key_Space)
    assert pane.sign_button.isEnabled()

    pane.sign_button.setFocus()
    qtbot.keyClick(pane.sign_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: pane.signature_dialog is not None and pane.signature_dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = pane.signature_dialog
    qtbot.keyClicks(dialog.secret, "Jag signerar beslutet att inte inleda utredning")
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert blocker.args == [0]
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.status == "signed" and decision.violence_acknowledged
        assert decision.signed_by_id == senior.user_id


def test_returned_proposal_shows_in_the_proposers_own_list_with_the_comment(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    propose(database, worker, item_id, now=now)
    pane = SignoffPane(ops, senior, clock=lambda: now)
    qtbot.addWidget(pane)
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        pane.refresh()
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)

    pane.return_proposal()
    dialog = pane.return_dialog
    dialog.comment.insertPlainText("Ring skolan först.")  # keyClicks is ASCII only
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        dialog.accept()
    own = SignoffPane(ops, worker, clock=lambda: now)
    qtbot.addWidget(own)
    with qtbot.wait_signal(own.sig_count_changed, timeout=WAIT_MS):
        own.refresh()
    assert own.returned.count() == 1
    assert "Ring skolan först." in own.returned.item(0).text()


def test_signing_after_the_deadline_asks_the_signer_for_the_reason(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now, offset=timedelta(days=10))
    decision_id = propose(database, worker, item_id, now=now)
    late = now + timedelta(days=6)
    pane = SignoffPane(ops, senior, clock=lambda: late)
    qtbot.addWidget(pane)
    pane.show()
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        pane.refresh()
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    pane.sign_button.setFocus()
    qtbot.keyClick(pane.sign_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: pane.signature_dialog is not None and pane.signature_dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = pane.signature_dialog
    assert dialog.overrun_reason is not None and "gick ut" in dialog.findChildren(QLabel)[1].text()
    qtbot.keyClicks(dialog.secret, "Jag signerar beslutet att inleda utredning")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert dialog.isVisible()  # no reason yet: nothing is signed
    qtbot.keyClicks(dialog.overrun_reason, "Granskaren var sjuk.")
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert blocker.args == [0]
    with database.transaction() as session:
        decision = session.get(Decision, decision_id)
        assert decision.status == "signed" and decision.overdue_at_signing
        assert decision.overrun_reason == "Granskaren var sjuk."
