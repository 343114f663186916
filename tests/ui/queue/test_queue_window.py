"""The main window: the queue over the paged service, the detail pane, the status bar."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput, GuardianInput, register_report
from mottagning.models import AuditEvent
from mottagning.settings import DEMO_KEY, put_setting
from tests.core.factories import register_simple, simple_report
from tests.ui.conftest import WAIT_MS
from ui.main_window import database_title
from ui.queue.model import CHUNK, Column

VERBATIM = "Hon sa: ”Pappa <b>slog</b> mig” & grät.\n\n  Andra stycket, med indrag."


def _names(window) -> list[str]:  # type: ignore[no-untyped-def]
    model = window.model
    return [model.index(r, Column.CHILD).data() for r in range(model.rowCount())]


def test_queue_lists_registered_items_most_urgent_first(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    register_simple(database, worker, now=now,
                    children=(ChildInput(name="Ola Berg", personnummer="20120101-2389"),))
    register_simple(database, worker, now=now, immediate_danger=True,
                    children=(ChildInput(name="Ella Andersson", personnummer="20150312-2382"),))
    window = make_window(worker)
    assert _names(window) == ["Ella Andersson", "Ola Berg"]
    model = window.model
    assert model.index(0, Column.URGENCY).data() == "Akut"
    assert model.index(0, Column.FLAGS).data() == "Akut fara"
    assert model.index(0, Column.STATUS).data() == "Inkommen"
    assert model.index(0, Column.REPORTER).data() == "Skola"
    assert model.index(0, Column.CONCERNS).data() == "Försummelse"
    assert model.headerData(Column.PROTECTION_LEFT, window.table.horizontalHeader().orientation()) \
        == "Tid kvar skydd"


def test_window_shows_database_user_and_roles_and_never_a_password(
    database: Database, worker: Actor, make_window
):
    window = make_window(worker)
    assert window.windowTitle().startswith("Mottagning – ")
    assert "DEMO" not in window.windowTitle()
    shown = database.display_name() if database.embedded else database_title(database)
    assert window.database_label.text() == f"Databas: {shown}"
    assert window.database_label.toolTip() == database.display_name()
    assert "Anna Testsson" in window.user_label.text()
    assert "Socialsekreterare, mottagning" in window.user_label.text()
    password = database.engine.url.password
    if password:
        assert str(password) not in window.database_label.text()


def test_demo_database_is_marked_in_the_title_and_a_banner(
    database: Database, worker: Actor, make_window
):
    with database.transaction() as session:
        put_setting(session, DEMO_KEY, True)
    window = make_window(worker, demo=True)
    assert window.windowTitle().endswith(" – DEMO")
    assert window.findChild(type(window.user_label), "demoBanner").isVisible()


def test_empty_database_shows_how_to_register_the_first_report(
    database: Database, worker: Actor, make_window
):
    window = make_window(worker)
    assert window.model.rowCount() == 0
    hint = window._queue_stack.currentWidget()
    assert hint is not window.table
    assert "Ny anmälan (Ctrl+N)" in hint.text()


def test_queue_loads_in_chunks_when_scrolled_and_audits_the_listing_once(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    with database.transaction() as session:
        for number in range(CHUNK + 60):
            register_report(session, worker, simple_report(
                received_at=now - timedelta(minutes=number + 1),
                children=(ChildInput(name=f"Barn {number}"),)), now=now)
    window = make_window(worker)
    model = window.model
    assert model.rowCount() == CHUNK
    # the count comes in a job of its own after the first page
    qtbot.waitUntil(lambda: model.total == CHUNK + 60, timeout=WAIT_MS)
    assert model.canFetchMore()
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == CHUNK + 60, timeout=WAIT_MS)
    assert not model.canFetchMore()
    assert len(set(_names(window))) == CHUNK + 60
    window.refresh()
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    with database.transaction() as session:
        listings = session.execute(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "queue_listed")).scalar_one()
    assert listings == 1


def test_refresh_shows_new_reports_and_keeps_the_selection(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    register_simple(database, worker, now=now,
                    children=(ChildInput(name="Ola Berg", personnummer="20120101-2389"),))
    window = make_window(worker)
    chosen = window.model.row_at(0).id
    window.select_item(chosen)
    register_simple(database, worker, now=now, immediate_danger=True,
                    children=(ChildInput(name="Ella Andersson", personnummer="20150312-2382"),))
    window.refresh()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=WAIT_MS)
    assert _names(window) == ["Ella Andersson", "Ola Berg"]
    assert window.selected_item_id() == chosen
    assert window.table.selectionModel().isRowSelected(1)


def test_detail_pane_shows_the_reporters_words_verbatim(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    report = simple_report(received_at=now - timedelta(hours=2))
    with database.transaction() as session:
        register_report(session, worker, type(report)(**{**report.__dict__,
                                                        "description": VERBATIM}), now=now)
    window = make_window(worker)
    window.select_item(window.model.row_at(0).id)
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    verbatim = window.detail.widget().findChild(type(window.detail), "verbatim") or \
        _find_verbatim(window)
    assert verbatim.toPlainText() == VERBATIM
    assert verbatim.isReadOnly()
    texts = _label_texts(window)
    assert "Karin Ek" in texts and "Kvarnbackens skola" in texts
    assert "1 anmälan senaste 12 månaderna" in texts


def _find_verbatim(window):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPlainTextEdit

    return window.detail.widget().findChild(QPlainTextEdit, "verbatim")


def _label_texts(window) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    return [label.text() for label in window.detail.widget().findChildren(QLabel)]


def test_detail_pane_hides_anonymous_reporter_and_protected_addresses_and_groups_siblings(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    register_simple(database, worker, now=now, offset=timedelta(days=40),
                    children=(ChildInput(name="Ella Andersson", personnummer="20150312-2382"),))
    report = simple_report(
        received_at=now - timedelta(hours=1), anonymous=True,
        children=(ChildInput(name="Ella Andersson", personnummer="20150312-2382"),
                  ChildInput(name="Olle Andersson", birth_date=datetime(2018, 5, 2).date())))
    report = type(report)(**{**report.__dict__, "guardians": (
        GuardianInput(name="Maria Andersson", relation="mamma", street="Hemliga vägen 1",
                      city="Borlänge", protected_identity=True),)})
    with database.transaction() as session:
        result = register_report(session, worker, report, now=now)
    window = make_window(worker)
    window.select_item(result.item_ids[0])
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    texts = "\n".join(_label_texts(window))
    assert "Anonym anmälare" in texts
    assert "Karin Ek" not in texts
    assert "Maria Andersson (mamma) · Skyddad identitet" in texts
    assert "Hemliga" not in texts
    assert "Olle Andersson" in texts  # the sibling in the same report
    assert "2 anmälningar senaste 12 månaderna" in texts


def test_other_areas_install_themselves_as_pages(
    database: Database, worker: Actor, make_window, monkeypatch
):
    from PySide6.QtWidgets import QLabel

    from ui import main_window

    monkeypatch.setitem(main_window.AREAS, "ui.test_area",
                        lambda window: window.add_page("Testsida", QLabel("hej")))
    window = make_window(worker, extensions=("ui.test_area",))
    assert window.pages.tabText(1) == "Testsida"
    assert set(window.extensions) == {"ui.test_area"}


def test_the_other_areas_are_installed_after_the_queues_first_page_is_painted(
    database: Database, worker: Actor, now, qtbot: QtBot, monkeypatch
) -> None:
    from PySide6.QtWidgets import QLabel

    from tests.conftest import FIXED_NOW
    from ui import main_window

    register_simple(database, worker, now=now)
    seen: list[tuple[bool, int]] = []

    def install(window):  # type: ignore[no-untyped-def]
        seen.append((window.model.loaded_once, window.model.rowCount()))
        return window.add_page("Testsida", QLabel("hej"))

    monkeypatch.setitem(main_window.AREAS, "ui.test_area", install)
    window = main_window.MainWindow(database, worker, extensions=("ui.test_area",),
                                    clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    assert window.pages.count() == 1 and not window.started  # only the queue while it loads
    with qtbot.waitSignal(window.sig_started, timeout=WAIT_MS):
        window.show()
    assert seen == [(True, 1)]
    assert window.pages.tabText(1) == "Testsida"
    window.close()


def test_a_window_closed_before_its_areas_are_in_never_installs_them(
    database: Database, worker: Actor, qtbot: QtBot, monkeypatch
) -> None:
    from tests.conftest import FIXED_NOW
    from ui import main_window

    installed: list[str] = []
    monkeypatch.setitem(main_window.AREAS, "ui.test_area", lambda window: installed.append("x"))
    window = main_window.MainWindow(database, worker, extensions=("ui.test_area",),
                                    clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    window.close()  # at once: the user quit (or switched user) during the start
    qtbot.wait(main_window.AREAS_AT_THE_LATEST_MS + 200)
    assert installed == [] and not window.started


def test_an_area_not_wired_into_the_main_window_is_an_error_not_a_silent_gap() -> None:
    from ui.main_window import installers

    with pytest.raises(KeyError, match="ui.not_in_this_build"):
        installers(("ui.not_in_this_build",))


def test_a_signed_item_can_be_handed_over_from_the_case_menu(
    database, qtbot, make_window, worker, now
) -> None:  # type: ignore[no-untyped-def]
    from mottagning.queue.items import get_item, move_item
    from mottagning.rules.status import Status
    from tests.core.factories import register_simple

    result = register_simple(database, worker, now=now)
    with database.transaction() as session:
        item = get_item(session, result.item_ids[0])
        for status in (Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT,
                       Status.DECISION_PROPOSED, Status.DECISION_SIGNED):
            move_item(session, worker, item, status, now=now)
    window = make_window(worker, extensions=("ui.queue.item_actions",))
    actions = window.extensions["ui.queue.item_actions"]
    window.table.setCurrentIndex(window.model.index(0, 1))
    qtbot.waitUntil(lambda: actions.hand_over.isEnabled(), timeout=10_000)
    actions.confirm_hand_over(ask=False)
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=10_000)


def test_a_burst_of_reports_about_one_child_is_one_row_and_each_keeps_its_deadline(
    database, qtbot, make_window, worker, now
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from tests.core.factories import register_simple

    for hours in range(1, 7):
        register_simple(database, worker, now=now, offset=timedelta(hours=hours))
    window = make_window(worker)
    assert window.model.rowCount() == 1
    assert "(6 öppna ärenden)" in window.model.index(0, 1).data()
    window.table.setCurrentIndex(window.model.index(0, 1))
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=10_000)
    qtbot.waitUntil(lambda: any("Andra öppna ärenden om barnet (5)" in t
                                for t in _label_texts(window)), timeout=10_000)


def test_a_whole_mass_report_group_is_assigned_at_once_with_one_audit_event_per_item(
    database, qtbot, make_window, worker, now
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import select

    from mottagning.models import AuditEvent, QueueItem
    from tests.core.factories import register_simple

    for hours in range(1, 7):
        register_simple(database, worker, now=now, offset=timedelta(hours=hours))
    window = make_window(worker, extensions=("ui.queue.item_actions",))
    actions = window.extensions["ui.queue.item_actions"]
    window.table.setCurrentIndex(window.model.index(0, 1))
    actions.assign_to(worker.user_id, whole_group=True)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=10_000)
    with database.transaction() as session:
        assigned = session.execute(select(QueueItem.assigned_to_id)).scalars().all()
        events = session.execute(
            select(AuditEvent).where(AuditEvent.action == "item_assigned")).scalars().all()
    assert assigned == [worker.user_id] * 6
    assert len(events) == 6


def test_an_assessment_below_the_floor_shows_waiting_for_a_second_signature_in_the_queue(
    database, qtbot, make_window, worker, now
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from mottagning.assessment import NO_IMMEDIATE_NEED
    from tests.core.assessment.test_assessment_service import _fill, _finish, _item, _start

    item_id = _item(database, worker, now)
    state = _fill(database, worker, _start(database, worker, item_id, now).id, now,
                  answers={"hot": "ja", "utovare_hemma": "nej"},
                  notes={"hot": "Sms-hot från styvpappa, nu gripen."})
    _finish(database, worker, state, now, NO_IMMEDIATE_NEED, reason="Hotaren är häktad.")
    window = make_window(worker)
    status_column = next(c for c in range(window.model.columnCount())
                         if window.model.headerData(c, Qt.Orientation.Horizontal) == "Status")
    assert window.model.index(0, status_column).data() == "Väntar på andra signatur"


def test_one_assessment_is_applied_to_the_rest_of_a_burst_from_the_case_menu(
    database, qtbot, make_window, worker, now
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import select

    from mottagning.assessment import NO_IMMEDIATE_NEED
    from mottagning.models import QueueItem
    from tests.core.assessment.test_assessment_service import _fill, _finish, _start
    from tests.core.factories import register_simple

    items = [register_simple(database, worker, now=now, offset=timedelta(hours=h)).item_ids[0]
             for h in range(1, 6)]
    _finish(database, worker, _fill(database, worker, _start(database, worker, items[0], now).id, now),
            now, NO_IMMEDIATE_NEED)
    window = make_window(worker, extensions=("ui.queue.item_actions",))
    actions = window.extensions["ui.queue.item_actions"]
    window.table.setCurrentIndex(window.model.index(0, 1))
    actions.choose_share(ask=False)

    def all_assessed() -> bool:
        with database.transaction() as session:
            return set(session.execute(select(QueueItem.status)).scalars()) == {"protection_assessed"}

    qtbot.waitUntil(all_assessed, timeout=10_000)


def test_control_characters_in_a_name_are_not_shown_in_the_queue(
    database: Database, worker: Actor, now: datetime, make_window, qtbot: QtBot
):
    register_simple(database, worker, now=now,
                    children=(ChildInput(name="Ella\x1b[2J\r\nFalsk rad\u202e"),))
    window = make_window(worker)
    shown = window.model.index(0, Column.CHILD).data()
    assert shown == "Ella [2J  Falsk rad "
