"""The sign-off pane, used by keyboard only: select, acknowledge violence, sign with the phrase."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.assessment.service import SECOND_SIGNATURE_PHRASE, second_sign
from mottagning.context import Actor, Changes
from mottagning.db.database import Database
from mottagning.decisions.delegation import signing_phrase
from mottagning.decisions.proposals import ProposalInput
from mottagning.models import AuditEvent
from mottagning.models.assessment import Assessment
from mottagning.models.decisions import Decision
from tests.conftest import FIXED_NOW
from tests.core.assessment.test_assessment_awaiting import lowered
from tests.core.decision_helpers import NOT_OPENED, item_in_assessment, propose
from ui.decisions.signoff_pane import SignoffPane
from ui.operations import Operations

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
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_Down)  # the reviewer's choice opens the case
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
    pane.list.setCurrentRow(0)
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


def _case_reads(database: Database, actor: Actor) -> int:
    with database.transaction() as session:
        return len(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "case_opened", AuditEvent.user_id == actor.user_id)).all())


def _labels(pane: SignoffPane) -> str:
    return "\n".join(label.text() for label in pane.findChildren(QLabel))


def _pane(ops: Operations, actor: Actor, qtbot: QtBot) -> tuple[SignoffPane, int]:
    pane = SignoffPane(ops, actor, clock=lambda: FIXED_NOW)
    qtbot.addWidget(pane)
    pane.show()
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        pane.refresh()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    return pane, blocker.args[0]


def test_no_case_is_opened_until_the_reviewer_chooses_it_also_after_signing(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    for _ in range(2):
        propose(database, worker, item_in_assessment(database, worker, now=now), now=now)
    pane, count = _pane(ops, senior, qtbot)
    assert count == 2 and pane.list.count() == 2
    assert pane.detail is None and _case_reads(database, senior) == 0
    pane.activateWindow()
    qtbot.waitUntil(pane.isActiveWindow, timeout=WAIT_MS)
    pane.report.setFocus()
    qtbot.waitUntil(pane.report.hasFocus, timeout=WAIT_MS)
    pane.list.setFocus(Qt.FocusReason.TabFocusReason)  # tabbing into the list chooses nothing
    qtbot.waitUntil(pane.list.hasFocus, timeout=WAIT_MS)
    qtbot.wait(50)
    assert pane.list.currentItem() is None and ops.idle and _case_reads(database, senior) == 0

    qtbot.keyClick(pane.list, Qt.Key.Key_Down)  # the reviewer's choice: one audited read
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    pane.sign()
    pane.signature_dialog.secret.setText(signing_phrase(pane.detail.decision.outcome))
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        pane.signature_dialog.accept()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    qtbot.wait(50)
    assert blocker.args == [1] and pane.list.count() == 1
    assert pane.detail is None and pane.list.currentItem() is None
    assert "Välj" in pane.report.toPlainText() and not pane.sign_button.isEnabled()
    assert _case_reads(database, senior) == 1


def test_a_seniors_own_proposals_are_listed_apart_and_not_counted(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    propose(database, senior, item_in_assessment(database, senior, now=now), now=now)
    propose(database, worker, item_in_assessment(database, worker, now=now), now=now)
    pane, count = _pane(ops, senior, qtbot)
    assert count == 1
    assert pane.list.count() == 1 and worker.full_name in pane.list.item(0).text()
    assert pane.own.count() == 1
    assert "Dina förslag, väntar på en annan granskare" in _labels(pane)


def test_a_lowered_skyddsbedomning_waits_in_att_signera_akut_and_counted_and_opens_when_chosen(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    lowered(database, worker, now, immediate_danger=True)
    lowered(database, senior, now)  # the senior's own: listed apart, not counted
    pane, count = _pane(ops, senior, qtbot)
    assert count == 1
    waiting = pane.second_signatures.list
    assert waiting.count() == 1 and waiting.item(0).text().startswith("AKUT · Ella Andersson")
    assert worker.full_name in waiting.item(0).text()
    assert pane.own.count() == 1 and "skyddsbedömning" in pane.own.item(0).text()
    assert _case_reads(database, senior) == 0

    waiting.setFocus()
    waiting.setCurrentRow(0)
    assert _case_reads(database, senior) == 0  # selecting is not opening
    qtbot.keyClick(waiting, Qt.Key.Key_Return)
    screen = pane.assessment_screen
    qtbot.waitUntil(lambda: screen.state is not None and screen.panel.second_sign_button.isVisible(),
                    timeout=WAIT_MS)
    assert screen.deadline_label.text().startswith("Väntar på andra signatur")
    assert "#ffe08a" in screen.deadline_label.styleSheet()  # amber, not the green of "done"
    assert _case_reads(database, senior) == 1
    screen.close()

    with database.transaction() as session:
        assessment_id = session.scalars(select(Assessment.id).where(
            Assessment.finished_by_id == worker.user_id)).one()
    ops.sig_operation_executed.connect(pane.on_changes)  # as install() does
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS) as blocker:
        ops.mutate(lambda session: second_sign(session, senior, assessment_id,
                                               secret=SECOND_SIGNATURE_PHRASE, now=now))
    assert blocker.args == [0] and waiting.count() == 0


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
    pane.list.setCurrentRow(0)  # opening is the reviewer's deliberate choice
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


def test_signing_lists_the_proposals_once_not_again_for_its_own_broadcast(
    database: Database, ops: Operations, worker: Actor, senior: Actor, now: datetime, qtbot: QtBot,
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    propose(database, worker, item_id, now=now)
    pane = SignoffPane(ops, senior, clock=lambda: now)
    qtbot.addWidget(pane)
    pane.show()
    ops.sig_operation_executed.connect(pane.on_changes)  # as the main window wires it
    listings: list[int] = []
    loaded = pane._loaded
    pane._loaded = lambda result: (listings.append(1), loaded(result))  # type: ignore[method-assign]
    with qtbot.wait_signal(pane.sig_count_changed, timeout=WAIT_MS):
        pane.refresh()
    pane.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: pane.detail is not None, timeout=WAIT_MS)
    listings.clear()

    phrase = pane.detail.phrase
    pane.sign()
    dialog = pane.signature_dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=WAIT_MS)
    qtbot.keyClicks(dialog.secret, phrase)
    with qtbot.wait_signal(ops.sig_operation_executed, timeout=WAIT_MS):
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ops.idle and bool(listings), timeout=WAIT_MS)
    qtbot.wait(200)  # a second listing would have been asked for by now
    assert ops.idle and len(listings) == 1
    assert pane.list.count() == 0

    # a change made elsewhere still refreshes the pane
    ops.mutate(lambda session: Changes(decisions=True))
    qtbot.waitUntil(lambda: ops.idle and len(listings) == 2, timeout=WAIT_MS)
