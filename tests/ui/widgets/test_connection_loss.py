"""The server goes away in the middle of an edit (pg_ctl stop -m fast) and comes back:
the banner within 5 s, the draft kept on this computer (encrypted), the program
reconnects by itself and the draft reaches the database once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mottagning.access import local_drafts
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.models import Draft
from tests.conftest import FIXED_NOW
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from tests.ui.intake.test_register_dialog import tab_to, type_text
from ui.intake.register_dialog import DRAFT_KEY, DRAFT_KIND, RegisterDialog


def _drafts(database: Database, actor: Actor) -> list[dict]:
    with database.transaction() as session:
        return [d.content for d in session.execute(
            select(Draft).where(Draft.user_id == actor.user_id, Draft.kind == DRAFT_KIND,
                                Draft.key == DRAFT_KEY)).scalars()]


def _form_with_a_saved_draft(database: Database, worker: Actor, window, qtbot: QtBot) -> RegisterDialog:  # type: ignore[no-untyped-def]
    """A registration form at a desk in contact with the server, its first sentence saved
    as the worker's draft."""
    qtbot.waitUntil(lambda: window.change_feed.connected, timeout=WAIT_MS)
    dialog = RegisterDialog(window.ops, worker, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.is_ready, timeout=WAIT_MS)
    tab_to(qtbot, dialog.description)
    type_text(qtbot, "Mamma sover på dagarna.")
    qtbot.waitUntil(lambda: [d["description"] for d in _drafts(database, worker)]
                    == ["Mamma sover på dagarna."], timeout=WAIT_MS)
    return dialog


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_server_restart_in_the_middle_of_an_edit_loses_nothing_and_saves_once(
    database: Database, worker: Actor, make_window, qtbot: QtBot, pg_server, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_drafts, "folder", lambda: tmp_path / "lokala-utkast")
    register_simple(database, worker, now=FIXED_NOW)
    window = make_window(worker)
    dialog = _form_with_a_saved_draft(database, worker, window, qtbot)

    pg_server.stop_fast()
    try:
        qtbot.waitUntil(window.connection_banner.isVisible, timeout=5_000)
        assert window.connection_banner.text().startswith(
            "Ingen kontakt med databasen – det du skriver sparas på den här datorn")
        # the screens keep the last data, and say how old it is (the window's clock)
        assert "visar läget från kl. 10.30" in window.connection_banner.text()
        assert window.model.row_at(0).child_name == "Ella Andersson"
        assert window.queue_age.isVisible()
        assert window.queue_age.text().startswith("Senast hämtad kl. 10.30")
        type_text(qtbot, " Barnet är ensamt.")
        qtbot.waitUntil(lambda: dialog.autosave.kept_locally, timeout=WAIT_MS)
        kept = list((tmp_path / "lokala-utkast").glob("*.utkast"))
        assert len(kept) == 1
        assert b"ensamt" not in kept[0].read_bytes()  # encrypted on this computer
        assert window.ops.errors.box is None  # the banner says it; no error dialog
        type_text(qtbot, " Pappa är bortrest.")  # typing goes on while the server is away
    finally:
        pg_server.start_again()

    qtbot.waitUntil(lambda: not window.connection_banner.isVisible(), timeout=10_000)
    whole = "Mamma sover på dagarna. Barnet är ensamt. Pappa är bortrest."
    qtbot.waitUntil(lambda: [d["description"] for d in _drafts(database, worker)] == [whole],
                    timeout=10_000)
    qtbot.waitUntil(lambda: not dialog.autosave.kept_locally, timeout=WAIT_MS)
    assert not list((tmp_path / "lokala-utkast").glob("*.utkast"))
    assert dialog.description.toPlainText() == whole
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Draft)).scalar_one() == 1
    dialog.close()


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_form_closed_while_the_server_is_gone_reaches_the_database_when_it_is_back(
    database: Database, worker: Actor, make_window, qtbot: QtBot, pg_server, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_drafts, "folder", lambda: tmp_path / "lokala-utkast")
    window = make_window(worker)
    dialog = _form_with_a_saved_draft(database, worker, window, qtbot)

    pg_server.stop_fast()
    try:
        qtbot.waitUntil(window.connection_banner.isVisible, timeout=5_000)
        type_text(qtbot, " Barnet är ensamt.")
        qtbot.waitUntil(lambda: dialog.autosave.kept_locally, timeout=WAIT_MS)
        dialog.close()  # the worker closes the form; nothing retries it any more
        assert len(list((tmp_path / "lokala-utkast").glob("*.utkast"))) == 1
    finally:
        pg_server.start_again()

    whole = "Mamma sover på dagarna. Barnet är ensamt."
    qtbot.waitUntil(lambda: [d["description"] for d in _drafts(database, worker)] == [whole],
                    timeout=15_000)
    qtbot.waitUntil(lambda: not list((tmp_path / "lokala-utkast").glob("*.utkast")),
                    timeout=WAIT_MS)
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Draft)).scalar_one() == 1
