"""Long operations: off the GUI thread with their own transactions, progress shown after
half a second, "Avbryt" stops between items and what was done stays done."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from mottagning.access.drafts import load_draft, save_draft
from mottagning.context import Actor, Changes
from mottagning.db.database import Database
from tests.ui.conftest import WAIT_MS
from ui.operations import Operations

ITEMS = 5


def test_progress_is_reported_and_the_result_comes_back_on_the_gui_thread(ops: Operations, qtbot: QtBot):
    threads: dict[str, int] = {}
    seen: list[tuple[int, int, str]] = []
    results: list[list[int]] = []

    def work(progress, should_cancel):  # type: ignore[no-untyped-def]
        threads["work"] = threading.get_ident()
        for number in range(ITEMS):
            progress(number, ITEMS, f"sak {number}")
        progress(ITEMS, ITEMS, "")
        return list(range(ITEMS))

    def done(result: list[int]) -> None:
        threads["callback"] = threading.get_ident()
        results.append(result)

    job = ops.long(work, label="Arbetar…", success=done, progress=lambda *args: seen.append(args))
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert results == [[0, 1, 2, 3, 4]]
    assert threads["work"] != threading.get_ident() == threads["callback"]
    assert seen[-1] == (ITEMS, ITEMS, "") and (2, ITEMS, "sak 2") in seen
    assert not job.shown  # done within half a second: no dialog flashed up


def test_cancel_stops_between_items_and_what_was_done_stays_done(
    ops: Operations, database: Database, worker: Actor, qtbot: QtBot,
):
    second_saved, may_go_on = threading.Event(), threading.Event()
    results: list[list[int]] = []

    def work(progress, should_cancel):  # type: ignore[no-untyped-def]
        done = []
        for number in range(ITEMS):
            if should_cancel():
                break
            progress(number, ITEMS, f"sak {number}")
            with database.transaction() as session:  # one transaction per item
                save_draft(session, worker, kind="register_report", key=str(number), content={"n": number})
            done.append(number)
            if number == 1:
                second_saved.set()
                may_go_on.wait(WAIT_MS / 1000)
        return done

    job = ops.long(work, label="Sparar utkast…", success=results.append)
    assert second_saved.wait(WAIT_MS / 1000)
    assert not job.dialog.isVisible()
    qtbot.waitUntil(job.dialog.isVisible, timeout=WAIT_MS)  # after half a second
    assert "Sparar utkast…" in job.dialog.labelText()
    [cancel] = [button for button in job.dialog.findChildren(QPushButton) if button.text() == "Avbryt"]
    cancel.click()
    assert job.cancelled
    may_go_on.set()
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)

    assert results == [[0, 1]]
    with database.transaction() as session:
        kept = [load_draft(session, worker, kind="register_report", key=str(n)) is not None
                for n in range(ITEMS)]
    assert kept == [True, True, False, False, False]


def test_a_long_operations_changes_are_announced_with_its_initiator(ops: Operations, qtbot: QtBot):
    view = QPushButton()
    qtbot.addWidget(view)
    changes = Changes(queue=True, alarms=True)
    with qtbot.waitSignal(ops.sig_operation_executed, timeout=WAIT_MS) as blocker:
        ops.long(lambda progress, should_cancel: changes, label="Importerar…", initiator=view)
    assert blocker.args == [changes, view]


def test_a_failing_long_operation_reaches_its_failure_callback(ops: Operations, qtbot: QtBot):
    errors: list[BaseException] = []
    ops.long(lambda progress, should_cancel: 1 / 0, label="Arbetar…", failure=errors.append)
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert isinstance(errors[0], ZeroDivisionError)


def test_shutdown_cancels_a_running_long_operation_and_waits_for_it(database: Database, qtbot: QtBot):
    operations = Operations(database)
    started = threading.Event()
    stopped: list[int] = []

    def work(progress, should_cancel):  # type: ignore[no-untyped-def]
        started.set()
        rounds = 0
        while not should_cancel():
            rounds += 1
            threading.Event().wait(0.01)
        stopped.append(rounds)

    operations.long(work, label="Arbetar…")
    assert started.wait(WAIT_MS / 1000)
    operations.shutdown()
    assert len(stopped) == 1
    qtbot.waitUntil(lambda: not operations.long_jobs, timeout=WAIT_MS)
