"""Corrections from the detail pane: concern codes with a reason, protected identity."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.concern_flags import correct_concern_codes
from mottagning.models import Guardian, QueueItem, Report, ReportCorrection
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS


def _texts(window) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(label.text() for label in window.detail.widget().findChildren(QLabel))


def _open(make_window, worker: Actor, item_id: int, qtbot: QtBot):  # type: ignore[no-untyped-def]
    window = make_window(worker)
    assert window.select_item(item_id)
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    return window


def test_a_worker_corrects_the_concern_codes_and_the_violence_flag_shows(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = _open(make_window, worker, item_id, qtbot)
    assert window.detail.widget().findChild(QPushButton, "correctConcerns") is not None
    assert "violence" not in window.detail.detail.row.flags
    window.detail.correct_concerns(codes=["forsummelse", "bevittnat_vald"],
                                   reason="Barnet har sett pappa slå mamma.")
    qtbot.waitUntil(lambda: "violence" in window.detail.detail.row.flags, timeout=WAIT_MS)
    assert "Bevittnat våld" in _texts(window)
    with database.transaction() as session:
        assert session.get(QueueItem, item_id).flag_violence


def test_a_guardian_is_marked_protected_from_the_detail_pane_and_the_address_goes(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = _open(make_window, worker, item_id, qtbot)
    assert "Storgatan 14 B" in _texts(window)
    [guardian] = window.detail.detail.guardians
    assert window.detail.widget().findChild(QPushButton, f"protectGuardian{guardian.id}") is not None
    window.detail.mark_protected(guardian_id=guardian.id, ask=False)
    qtbot.waitUntil(lambda: window.detail.detail.guardians[0].protected_identity, timeout=WAIT_MS)
    assert "Storgatan 14 B" not in _texts(window)
    with database.transaction() as session:
        row = session.execute(select(Guardian)).scalar_one()
        assert row.protected_identity and row.street is None


def test_a_possible_same_child_is_suggested_and_linked_when_the_worker_confirms(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    from datetime import date, timedelta

    from mottagning.intake.reports import ChildInput

    liam = (ChildInput(name="Liam Okänd", birth_date=date(2019, 1, 1)),)
    first = register_simple(database, worker, now=now - timedelta(days=20), children=liam).item_ids[0]
    second = register_simple(database, worker, now=now, children=liam).item_ids[0]
    window = make_window(worker)
    with qtbot.wait_signal(window.detail.sig_suggestions_shown, timeout=WAIT_MS):
        assert window.select_item(second)
    [suggestion] = window.detail.link_suggestions
    assert "Kanske samma barn" in _texts(window)
    button = window.detail.widget().findChild(QPushButton, f"linkChild{suggestion.child_id}")
    assert button is not None
    window.detail.link_child(suggestion.child_id, reason="Samma skola och samma vårdnadshavare.")
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and len(window.detail.detail.history.entries) == 2, timeout=WAIT_MS)
    with database.transaction() as session:
        assert session.get(QueueItem, first).child_id == session.get(QueueItem, second).child_id


def test_a_new_address_from_a_report_is_confirmed_from_the_detail_pane(
    database: Database, worker: Actor, make_window, qtbot: QtBot, now
) -> None:
    from mottagning.intake.reports import ChildInput
    from mottagning.models import Child
    from tests.core.factories import register_simple

    known = ChildInput(name="Ella Andersson", personnummer="20150312-2382", street="Storgatan 1",
                       postal_code="784 33", city="Borlänge")
    moved = ChildInput(name="Ella Andersson", personnummer="20150312-2382", street="Ringvägen 8",
                       postal_code="784 40", city="Borlänge")
    register_simple(database, worker, now=now - timedelta(days=40), children=(known,))
    register_simple(database, worker, now=now, children=(moved,))
    window = make_window(worker)
    window.select_item(window.model.row_at(0).id)
    qtbot.waitUntil(lambda: bool(window.detail.address_proposals), timeout=WAIT_MS)
    window.detail.decide_address(window.detail.address_proposals[0].id, confirm=True)
    qtbot.waitUntil(lambda: not window.detail.address_proposals and window.detail.detail is not None,
                    timeout=WAIT_MS)
    with database.transaction() as session:
        assert session.query(Child).one().street == "Ringvägen 8"


def test_codes_another_worker_corrected_meanwhile_are_shown_side_by_side_and_mine_can_be_kept(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = _open(make_window, worker, item_id, qtbot)
    pane = window.detail
    pane.correct_concerns()
    qtbot.waitUntil(lambda: pane.concern_dialog is not None, timeout=WAIT_MS)
    dialog = pane.concern_dialog
    other = make_user(database, "bertil", [Role.WORKER])
    with database.transaction() as session:  # another desk saves first
        report_id = session.get(QueueItem, item_id).report_id
        correct_concern_codes(session, other, report_id,
                              concern_codes=["forsummelse", "vald_mot_barn"], reason="Slag i texten.")
    dialog.set_checked(["forsummelse", "bevittnat_vald"])
    dialog.reason.setPlainText("Barnet har sett pappa slå mamma.")
    dialog.accept()
    qtbot.waitUntil(lambda: pane.concern_conflict is not None, timeout=WAIT_MS)
    conflict = pane.concern_conflict
    assert "Bevittnat våld" in conflict.mine.toPlainText()
    assert "Våld mot barn" in conflict.theirs.toPlainText()
    assert "Bevittnat våld" not in conflict.theirs.toPlainText()
    conflict.keep_button.click()
    qtbot.waitUntil(lambda: "Bevittnat våld" in _texts(window), timeout=WAIT_MS)
    with database.transaction() as session:
        report = session.get(Report, report_id)
        assert set(report.concern_codes) == {"forsummelse", "bevittnat_vald"} and report.version == 3
        assert [c.reason for c in session.scalars(select(ReportCorrection))] == [
            "Slag i texten.", "Barnet har sett pappa slå mamma."]


def test_a_correction_being_written_is_autosaved_and_put_back_until_it_is_saved(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot,
) -> None:
    from mottagning.access.drafts import load_draft
    from mottagning.intake.concern_flags import CORRECTION_DRAFT_KIND, correction_draft_key

    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = _open(make_window, worker, item_id, qtbot)
    pane = window.detail
    report_id = pane.detail.row.report_id

    def draft():  # type: ignore[no-untyped-def]
        with database.transaction() as session:
            return load_draft(session, worker, kind=CORRECTION_DRAFT_KIND,
                              key=correction_draft_key(report_id))

    pane.correct_concerns()
    qtbot.waitUntil(lambda: pane.concern_dialog is not None, timeout=WAIT_MS)
    dialog = pane.concern_dialog
    qtbot.waitUntil(lambda: dialog.autosave.active, timeout=WAIT_MS)
    dialog.set_checked(["forsummelse", "bevittnat_vald"])
    dialog.reason.setPlainText("Barnet har sett pappa slå")
    # in the database within two seconds, without closing anything: a crash loses nothing
    qtbot.waitUntil(lambda: draft() is not None and draft().content["reason"]
                    == "Barnet har sett pappa slå", timeout=WAIT_MS)
    dialog.reason.setPlainText("Barnet har sett pappa slå mamma.")
    dialog.reject()  # closed unsaved: the draft keeps the last words
    qtbot.waitUntil(lambda: pane.concern_dialog is None and window.ops.idle, timeout=WAIT_MS)
    kept = draft().content
    assert sorted(kept["codes"]) == ["bevittnat_vald", "forsummelse"]
    assert kept["reason"] == "Barnet har sett pappa slå mamma."

    pane.correct_concerns()
    qtbot.waitUntil(lambda: pane.concern_dialog is not None, timeout=WAIT_MS)
    reopened = pane.concern_dialog
    qtbot.waitUntil(lambda: reopened.reason.toPlainText() == "Barnet har sett pappa slå mamma.",
                    timeout=WAIT_MS)
    assert sorted(reopened.checked()) == ["bevittnat_vald", "forsummelse"]
    assert reopened.status.text().startswith("Ditt utkast från")
    reopened.accept()
    qtbot.waitUntil(lambda: "Bevittnat våld" in _texts(window), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    assert draft() is None  # the saved correction took its draft along
