"""Counts agree with their number in Swedish: "1 ny anmälan", "2 nya anmälningar"."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.i18n import ngettext
from mottagning.settings import set_inbox_path
from tests.core.factories import register_simple
from tests.core.inbox_factory import submission
from tests.ui.conftest import WAIT_MS


def test_ngettext_picks_the_singular_for_one_only() -> None:
    forms = ("{n} ny anmälan", "{n} nya anmälningar")
    assert [ngettext(*forms, n).format(n=n) for n in (0, 1, 2, 21)] == [
        "0 nya anmälningar", "1 ny anmälan", "2 nya anmälningar", "21 nya anmälningar"]


def test_one_report_is_counted_in_the_singular(
    database: Database, worker: Actor, make_window, qtbot: QtBot, now
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    window = make_window(worker)
    assert window.count_label.text() == "1 öppet ärende"
    window.select_item(item_id)
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    texts = [label.text() for label in window.detail.findChildren(QLabel)]
    assert any("1 anmälan senaste 12 månaderna" in t for t in texts), texts
    assert not any("1 anmälningar" in t for t in texts)


def test_one_imported_report_is_one_ny_anmalan(
    database: Database, make_window, admin: Actor, worker: Actor, qtbot: QtBot, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with database.transaction() as session:
        set_inbox_path(session, admin, str(inbox))
    window = make_window(worker, extensions=("ui.intake.install",))
    intake = window.extensions["ui.intake.install"]
    qtbot.waitUntil(lambda: intake.watcher is not None, timeout=WAIT_MS)
    part = inbox / "1.json.part"
    part.write_text(json.dumps(submission(1), ensure_ascii=False), encoding="utf-8")
    part.rename(inbox / "1.json")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=30_000)
    assert window.statusBar().currentMessage() == "1 ny anmälan från e-tjänsten."
