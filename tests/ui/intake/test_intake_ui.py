"""The alarm banner, the alarms and quarantine dialogs and the watched inbox in the window."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.alarms import list_open_alarms
from mottagning.intake.importer import Importer
from mottagning.settings import set_inbox_path
from tests.core.inbox_factory import submission, write
from tests.ui.conftest import WAIT_MS
from ui.intake.install import IntakeController


def _quarantine_sample(database: Database, tmp_path: Path, samples_dir: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples_dir / "0006-inte-json.json", inbox)
    Importer(database, inbox).run_once()
    return inbox


def test_red_banner_stays_while_an_alarm_is_open_and_goes_when_it_is_handled(
    database: Database, qtbot: QtBot, make_window, senior: Actor, tmp_path: Path, samples_dir: Path,
) -> None:
    _quarantine_sample(database, tmp_path, samples_dir)
    window = make_window(senior, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: intake.banner.isVisible(), timeout=WAIT_MS)
    assert "Oläsbar fil" in intake.banner.label.text() or "oläsbar fil" in intake.banner.label.text()

    alarms = intake.show_alarms()
    qtbot.waitUntil(lambda: alarms.current_alarm() is not None, timeout=WAIT_MS)
    assert alarms.quarantine_button.isEnabled() and not alarms.acknowledge_button.isEnabled()
    dialog = intake.open_quarantine(alarms.current_alarm().id)
    qtbot.waitUntil(lambda: dialog.shown is not None, timeout=WAIT_MS)
    assert "502 Bad Gateway" in dialog.raw.toPlainText()
    dialog.dismiss("En felsida från e-tjänstens server, ingen anmälan.")
    qtbot.waitUntil(lambda: not intake.banner.isVisible(), timeout=WAIT_MS)
    alarms.close()


def test_acknowledging_a_gap_needs_a_reason_and_hides_the_banner(
    database: Database, qtbot: QtBot, make_window, worker: Actor, tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "1.json", submission(1))
    write(inbox, "3.json", submission(3))
    Importer(database, inbox).run_once()
    window = make_window(worker, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: intake.banner.isVisible(), timeout=WAIT_MS)
    dialog = intake.show_alarms()
    qtbot.waitUntil(lambda: dialog.current_alarm() is not None, timeout=WAIT_MS)
    assert dialog.acknowledge_button.isEnabled()
    dialog.acknowledge_current("Nummer 2 skickades aldrig enligt leverantören.")
    qtbot.waitUntil(lambda: not intake.banner.isVisible(), timeout=WAIT_MS)
    dialog.close()


def test_a_file_dropped_into_the_watched_inbox_appears_in_the_queue_without_restart(
    database: Database, qtbot: QtBot, make_window, admin: Actor, worker: Actor, tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with database.transaction() as session:
        set_inbox_path(session, admin, str(inbox))
    window = make_window(worker, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: intake.watcher is not None, timeout=WAIT_MS)
    assert window.model.rowCount() == 0
    part = inbox / "1.json.part"
    part.write_text(json.dumps(submission(1), ensure_ascii=False), encoding="utf-8")
    part.rename(inbox / "1.json")  # how an e-service finishes writing a file
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=30_000)
    assert (inbox / "arkiv" / "1.json").exists()
    with database.transaction() as session:
        assert list_open_alarms(session) == []


def test_a_quarantined_file_is_registered_by_hand_from_a_prefilled_form(
    database: Database, qtbot: QtBot, make_window, worker: Actor, tmp_path: Path, samples_dir: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    broken = (samples_dir / "0001-skola-forsummelse.json").read_text(encoding="utf-8")
    broken = broken.replace('"format": "mottagning.e-tjanst/1"', '"format": "okänt/9"')
    (inbox / "fel-format.json").write_text(broken, encoding="utf-8")
    Importer(database, inbox).run_once()
    window = make_window(worker, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: len(intake.alarms) == 1, timeout=WAIT_MS)
    quarantine = intake.open_quarantine(intake.alarms[0].id)
    qtbot.waitUntil(lambda: quarantine.shown is not None, timeout=WAIT_MS)
    dialogs: list = []
    quarantine._register_by_hand = lambda *args: dialogs.append(intake._register_by_hand(*args))
    quarantine.register_button.click()
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.is_ready, timeout=WAIT_MS)
    assert dialog.channel.currentData() == "etjanst"
    assert "hög frånvaro" in dialog.description.toPlainText()
    assert dialog.children_section.rows[0].text("name") == "Ella Andersson"
    dialog.register()
    qtbot.waitUntil(lambda: not intake.banner.isVisible() and window.model.rowCount() == 1,
                    timeout=WAIT_MS)


def _broken_file(database: Database, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "felsida.json").write_text("<html>502 Bad Gateway</html>", encoding="utf-8")
    Importer(database, inbox).run_once()


def test_the_alarms_list_refreshes_after_a_file_is_handled_and_a_handled_file_opens_read_only(
    database: Database, qtbot: QtBot, make_window, senior: Actor, tmp_path: Path,
) -> None:
    _broken_file(database, tmp_path)
    window = make_window(senior, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    alarms = intake.show_alarms()
    qtbot.waitUntil(lambda: alarms.current_alarm() is not None, timeout=WAIT_MS)
    alarm_id = alarms.current_alarm().id
    quarantine = intake.open_quarantine(alarm_id)
    assert not quarantine.dismiss_button.isEnabled()  # nothing to decide before the file shows
    qtbot.waitUntil(lambda: quarantine.shown is not None, timeout=WAIT_MS)
    assert quarantine.dismiss_button.isEnabled()
    quarantine.dismiss("En felsida från servern.")
    # the list beneath follows at once, without closing and reopening it
    qtbot.waitUntil(lambda: alarms.current_alarm() is None, timeout=WAIT_MS)
    assert alarms.list.item(0).text() == "Inga öppna larm."
    assert not alarms.quarantine_button.isEnabled()

    again = intake.open_quarantine(alarm_id)  # e.g. from a list another window has not refreshed
    qtbot.waitUntil(lambda: again.shown is not None, timeout=WAIT_MS)
    assert again.read_only and again.isVisible()
    assert senior.full_name in again.heading.text() and "redan hanterad" in again.heading.text()
    assert "En felsida från servern." in again.error.text()
    assert "502 Bad Gateway" in again.raw.toPlainText()
    assert not again.register_button.isVisible() and not again.dismiss_button.isVisible()
    assert window.ops.errors.box is None  # no "Filen är redan hanterad" error
    again.close()
    alarms.close()
def test_registering_from_quarantine_shows_the_files_arrival_as_the_receipt_time(
    database: Database, qtbot: QtBot, make_window, worker: Actor, tmp_path: Path, now,
) -> None:
    import os
    from datetime import timedelta

    from mottagning.models import Report

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "trasig.json"
    path.write_text(json.dumps({"format": "okänt/9", "concern": {"description": "Oro."}}),
                    encoding="utf-8")
    arrived = now - timedelta(hours=26)
    os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    Importer(database, inbox).run_once()
    window = make_window(worker, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: len(intake.alarms) == 1, timeout=WAIT_MS)
    quarantine = intake.open_quarantine(intake.alarms[0].id)
    qtbot.waitUntil(lambda: quarantine.shown is not None, timeout=WAIT_MS)
    dialogs: list = []
    quarantine._register_by_hand = lambda *args: dialogs.append(intake._register_by_hand(*args))
    quarantine.register_button.click()
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.is_ready, timeout=WAIT_MS)
    assert dialog.recorded_receipt == arrived
    assert dialog.header.received_moment() == arrived.replace(second=0, microsecond=0)
    dialog.category.setCurrentIndex(dialog.category.findData("skola"))
    dialog.concerns.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.children_section.rows[0].edits["name"].setText("Ella Andersson")
    dialog.register()
    qtbot.waitUntil(lambda: not intake.banner.isVisible(), timeout=WAIT_MS)
    with database.transaction() as session:
        [report] = session.query(Report).all()
        assert report.received_at == arrived


def test_an_assistant_sees_that_a_file_is_quarantined_but_not_its_content(
    database: Database, qtbot: QtBot, make_window, assistant: Actor, tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "<b>fet<i>.json").write_bytes(b'{"secret": "Ella Andersson 20150312-2382"')
    Importer(database, inbox).run_once()
    window = make_window(assistant, extensions=("ui.intake.install",))
    intake: IntakeController = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: len(intake.alarms) == 1, timeout=WAIT_MS)
    dialog = intake.open_quarantine(intake.alarms[0].id)
    qtbot.wait(200)
    assert dialog.shown is None and "Ella" not in dialog.raw.toPlainText()
    # neither registering nor dismissing: both need reading the file
    assert not dialog.register_button.isEnabled() and not dialog.dismiss_button.isEnabled()
    dialog.close()
