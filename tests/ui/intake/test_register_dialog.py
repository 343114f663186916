"""Manual registration by keyboard, autosaved drafts, anonymity, warnings and matching."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken
from sqlalchemy import select

from mottagning.access.drafts import load_draft
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput
from mottagning.models import QueueItem, Report
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.intake.register_dialog import DRAFT_KEY, DRAFT_KIND, RegisterDialog
from ui.operations import Operations
from ui.queue.model import Column

CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab(qtbot: QtBot, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def tab_to(qtbot: QtBot, target: QWidget) -> None:
    """Tab (only Tab) until `target` has the focus."""
    for _ in range(80):
        if focused() is target:
            return
        tab(qtbot)
    raise AssertionError(f"Tab never reached {target.objectName() or target}")


def type_text(qtbot: QtBot, text: str) -> None:
    """Type into the focused widget; QTest cannot map å, ä, ö to keys, so those go as text."""
    widget = focused()
    for char in text:
        if char.isascii():
            qtbot.keyClick(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def open_dialog(ops: Operations, actor: Actor, qtbot: QtBot) -> RegisterDialog:
    dialog = RegisterDialog(ops, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    return dialog


def wait_ready(dialog: RegisterDialog, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: dialog.is_ready and QApplication.focusWidget() is dialog.channel,
                    timeout=WAIT_MS)


def stored_draft(database: Database, actor: Actor):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return load_draft(session, actor, kind=DRAFT_KIND, key=DRAFT_KEY)


def test_a_phone_call_registered_by_keyboard_appears_in_the_queue(
    database: Database, worker: Actor, make_window, qtbot: QtBot
):
    window = make_window(worker)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: window.register_dialog is not None, timeout=WAIT_MS)
    dialog = window.register_dialog
    wait_ready(dialog, qtbot)

    assert dialog.channel.currentText() == "Telefon"
    tab(qtbot, 2)  # the receipt time is right as it is
    assert focused() is dialog.category
    type_text(qtbot, "Skola")
    tab(qtbot, 2)
    assert focused() is dialog.reporter["name"]
    type_text(qtbot, "Karin Ek")
    tab(qtbot)
    type_text(qtbot, "Kvarnbackens skola")
    tab(qtbot, 2)
    type_text(qtbot, "0243-123 45")
    tab(qtbot, 2)
    assert focused() is dialog.wants_feedback
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    tab(qtbot)
    child = dialog.children_section.rows[0]
    assert focused() is child.edits["name"]
    type_text(qtbot, "Ella Andersson")
    tab(qtbot)
    type_text(qtbot, "20150312-2383")  # the check digit should be 2
    assert child.pnr_warning.isVisible()
    assert "Kontrollsiffran" in child.pnr_warning.text()
    tab_to(qtbot, dialog.guardians_section.rows[0].edits["name"])
    type_text(qtbot, "Maria Andersson")
    tab(qtbot)
    type_text(qtbot, "mamma")
    tab_to(qtbot, dialog.concerns)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    tab(qtbot)
    assert focused() is dialog.immediate_danger
    tab(qtbot)
    assert focused() is dialog.description
    type_text(qtbot, "Ella sa att pappa slog henne i går.")
    qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)

    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=WAIT_MS)
    model = window.model
    assert model.index(0, Column.CHILD).data() == "Ella Andersson"
    assert model.index(0, Column.FLAGS).data() == "Våld, Datakvalitet"
    assert "Anmälan registrerad: 1 ärende i kön." in window.statusBar().currentMessage()
    assert "Kontrollsiffran" in window.statusBar().currentMessage()
    with database.transaction() as session:
        report = session.execute(select(Report)).scalar_one()
        assert report.channel == "telefon"
        assert report.reporter_name == "Karin Ek"
        assert report.reporter_wants_feedback is True
        assert report.concern_codes == ["vald_mot_barn"]
        assert report.description == "Ella sa att pappa slog henne i går."
        assert report.items[0].child.personnummer == "20150312-2383"
    assert stored_draft(database, worker) is None


def test_draft_is_offered_back_after_a_crash(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
):
    first = RegisterDialog(ops, worker)  # destroyed below, so not registered with qtbot
    first.show()
    first.activateWindow()
    wait_ready(first, qtbot)
    tab_to(qtbot, first.children_section.rows[0].edits["name"])
    type_text(qtbot, "Ella Andersson")
    tab_to(qtbot, first.description)
    type_text(qtbot, "Mamma sover på dagarna.")
    qtbot.waitUntil(lambda: (stored_draft(database, worker) or None) is not None
                    and "sover" in stored_draft(database, worker).content["description"],
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    Shiboken.delete(first)  # the window dies: no close, no save on close

    second = open_dialog(ops, worker, qtbot)
    qtbot.waitUntil(second.offer.isVisible, timeout=WAIT_MS)
    assert not second.is_ready  # an old draft is never overwritten by an empty form
    assert second.offer_label.text().startswith("Det finns ett osparat utkast från ")
    assert " kl. " in second.offer_label.text()
    assert QApplication.focusWidget() is second.resume_button
    qtbot.keyClick(second.resume_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: second.is_ready, timeout=WAIT_MS)
    assert second.children_section.rows[0].text("name") == "Ella Andersson"
    assert second.description.toPlainText() == "Mamma sover på dagarna."


def test_closing_saves_the_draft_and_starting_over_discards_it(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
):
    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    tab_to(qtbot, dialog.description)
    type_text(qtbot, "Oro för Lisa.")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # at once, before the autosave delay
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert stored_draft(database, worker).content["description"] == "Oro för Lisa."

    again = open_dialog(ops, worker, qtbot)
    qtbot.waitUntil(again.offer.isVisible, timeout=WAIT_MS)
    again.discard_button.click()
    qtbot.waitUntil(lambda: again.is_ready and ops.idle, timeout=WAIT_MS)
    assert again.description.toPlainText() == ""
    assert stored_draft(database, worker) is None


def test_anonymous_switch_clears_and_disables_identity_also_in_the_draft(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
):
    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    tab_to(qtbot, dialog.reporter["name"])
    type_text(qtbot, "Grannen Göran")
    tab(qtbot, 3)
    type_text(qtbot, "070-111 22 33")
    tab_to(qtbot, dialog.anonymous)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert dialog.anonymous.isChecked()
    assert all(edit.text() == "" and not edit.isEnabled() for edit in dialog.reporter.values())
    assert dialog.category.currentData() == "anonym"
    assert not dialog.wants_feedback.isEnabled()
    dialog.autosave.save_now()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    content = stored_draft(database, worker).content
    assert content["reporter"] == {}
    assert "Göran" not in str(content) and "111 22 33" not in str(content)


def test_missing_fields_are_listed_in_one_message_and_nothing_typed_is_lost(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
):
    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    tab_to(qtbot, dialog.reporter["name"])
    type_text(qtbot, "Karin Ek")
    tab_to(qtbot, dialog.children_section.rows[0].edits["birth_date"])
    type_text(qtbot, "2015-13-45")
    qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    assert dialog.problems.isVisible()
    message = dialog.problems.text()
    for expected in ("Välj anmälarens kategori.", "Skriv in anmälarens beskrivning",
                     "Välj minst en orsak till oro.", "Barn 1: namn saknas",
                     "födelsedatumet ”2015-13-45” går inte att läsa"):
        assert expected in message
    assert dialog.isVisible()
    assert dialog.reporter["name"].text() == "Karin Ek"
    with database.transaction() as session:
        assert session.execute(select(Report)).first() is None


def test_child_without_personnummer_is_matched_only_when_the_worker_confirms(
    database: Database, worker: Actor, ops: Operations, now: datetime, qtbot: QtBot
):
    earlier = register_simple(database, worker, now=now, children=(
        ChildInput(name="Olle Andersson", birth_date=date(2018, 5, 2)),))
    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    row = dialog.children_section.rows[0]
    tab_to(qtbot, row.edits["name"])
    type_text(qtbot, "Olle Andersson")
    tab(qtbot, 2)
    type_text(qtbot, "2018-05-02")
    tab(qtbot)
    qtbot.waitUntil(row.match_frame.isVisible, timeout=WAIT_MS)
    assert "Möjlig träff" in row.match_label.text()
    assert row.existing_child_id is None  # a suggestion, never an automatic link
    tab_to(qtbot, row.match_button)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert "Kopplad till befintligt barn" in row.match_label.text()

    dialog.category.setCurrentIndex(dialog.category.findData("skola"))
    dialog.concerns.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.description.setPlainText("Olle har blåmärken igen.")
    with qtbot.waitSignal(dialog.sig_registered, timeout=WAIT_MS):
        dialog.register()
    with database.transaction() as session:
        items = session.execute(select(QueueItem).order_by(QueueItem.id)).scalars().all()
        first_child = session.get(QueueItem, earlier.item_ids[0]).child_id
        assert [i.child_id for i in items] == [first_child, first_child]
        assert items[-1].flag_repeat


def test_attachments_are_read_with_their_media_type(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot, tmp_path
):
    scan = tmp_path / "brev från skolan.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned letter")
    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    assert dialog.add_attachment_files([str(scan), str(tmp_path / "borta.pdf")]) == \
        [str(tmp_path / "borta.pdf")]
    assert dialog.problems.isVisible()
    (_, attachment), = dialog.attachments
    assert attachment.filename == "brev från skolan.pdf"
    assert attachment.media_type == "application/pdf"
    assert attachment.content == b"%PDF-1.4 scanned letter"


def test_continuous_typing_is_saved_within_two_seconds(
    database: Database, worker: Actor, ops: Operations, qtbot: QtBot
):
    from PySide6.QtCore import QElapsedTimer

    from ui.widgets.autosave import MAX_WAIT_MS

    dialog = open_dialog(ops, worker, qtbot)
    wait_ready(dialog, qtbot)
    tab_to(qtbot, dialog.description)
    saves: list[int] = []
    clock = QElapsedTimer()
    dialog.autosave.sig_saved.connect(lambda _saved: saves.append(clock.elapsed()))
    clock.start()
    text = "Barnet berättar att pappa slår. " * 2
    for char in text:  # a key every 80 ms, never a one-second pause, for about five seconds
        type_text(qtbot, char)
        qtbot.wait(80)
        if saves:
            break
    assert saves, "nothing was saved while typing went on"
    assert saves[0] <= MAX_WAIT_MS + 700  # timers under load may be a little late
    assert dialog.description.toPlainText().startswith(
        stored_draft(database, worker).content["description"])
    assert stored_draft(database, worker).content["description"]
