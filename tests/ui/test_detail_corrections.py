"""Corrections from the detail pane: concern codes with a reason, protected identity."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mottagning.db import Database
from mottagning.models import Guardian, QueueItem
from mottagning.services.context import Actor
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
