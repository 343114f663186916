"""The operations worker: database work off the GUI thread, one shared error dialog."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from mottagning.access.drafts import load_draft, save_draft
from mottagning.context import Actor, Changes
from mottagning.db.database import Database
from mottagning.errors import NotFound
from tests.ui.conftest import WAIT_MS
from ui.operations import Operations, install_error_hook


def test_work_runs_on_the_worker_thread_and_results_come_back_on_the_gui_thread(
    ops: Operations, qtbot: QtBot
):
    seen: dict[str, int] = {}

    def work(session):  # type: ignore[no-untyped-def]
        seen["work"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["callback"] = threading.get_ident()
        seen["result"] = result

    with qtbot.waitSignal(ops.sig_idle, timeout=WAIT_MS):
        ops.query(work, success=done)
    assert seen["result"] == 42
    assert seen["callback"] == threading.get_ident()
    assert seen["work"] != threading.get_ident()


def test_a_mutation_announces_its_changes(ops: Operations, qtbot: QtBot):
    changes = Changes(queue=True, item_ids=(7,))
    with qtbot.waitSignal(ops.sig_operation_executed, timeout=WAIT_MS) as blocker:
        ops.mutate(lambda session: changes)
    assert blocker.args == [changes, None]


def test_a_mutation_names_the_view_that_initiated_it(ops: Operations, qtbot: QtBot):
    view = QPushButton()
    qtbot.addWidget(view)
    changes = Changes(decisions=True)
    with qtbot.waitSignal(ops.sig_operation_executed, timeout=WAIT_MS) as blocker:
        ops.mutate(lambda session: changes, initiator=view)
    assert blocker.args == [changes, view]


def test_a_query_announces_nothing(ops: Operations, qtbot: QtBot):
    with qtbot.assertNotEmitted(ops.sig_operation_executed, wait=100):
        with qtbot.waitSignal(ops.sig_idle, timeout=WAIT_MS):
            ops.query(lambda session: Changes(queue=True))


def test_jobs_run_in_the_order_they_were_submitted(ops: Operations, qtbot: QtBot):
    order: list[int] = []
    with qtbot.waitSignal(ops.sig_idle, timeout=WAIT_MS):
        for number in range(20):
            ops.query(lambda session, n=number: n, success=order.append)
    assert order == list(range(20))


def test_a_core_error_shows_its_swedish_text_in_the_shared_dialog(ops: Operations, qtbot: QtBot):
    def fail(session):  # type: ignore[no-untyped-def]
        raise NotFound("Ärende 9 finns inte.")

    with qtbot.waitSignal(ops.sig_idle, timeout=WAIT_MS):
        ops.query(fail)
    box = ops.errors.box
    assert box is not None and box.isVisible()
    qtbot.addWidget(box)
    assert box.text() == "Ärende 9 finns inte."

    with qtbot.waitSignal(ops.sig_idle, timeout=WAIT_MS):
        ops.query(lambda session: 1 / 0)
    assert ops.errors.box is box  # one dialog, the second error added to it
    assert "Ärende 9 finns inte." in box.text()
    assert "Ett oväntat fel inträffade" in box.text()
    assert "ZeroDivisionError" in box.detailedText()


def test_a_failed_job_writes_nothing(
    ops: Operations, database: Database, worker: Actor, qtbot: QtBot
):
    def save_then_fail(session):  # type: ignore[no-untyped-def]
        save_draft(session, worker, kind="register_report", key="new", content={"x": 1})
        raise NotFound("Borta.")

    errors: list[BaseException] = []
    with qtbot.waitSignal(ops.sig_idle, timeout=WAIT_MS):
        ops.mutate(save_then_fail, failure=errors.append)
    assert isinstance(errors[0], NotFound)
    assert ops.errors.box is None  # the caller handled it
    with database.transaction() as session:
        assert load_draft(session, worker, kind="register_report", key="new") is None


def test_shutdown_lets_queued_work_finish(database: Database, worker: Actor, qtbot: QtBot):
    operations = Operations(database)
    operations.mutate(lambda session: save_draft(
        session, worker, kind="register_report", key="new", content={"kept": True}))
    operations.shutdown()
    with database.transaction() as session:
        draft = load_draft(session, worker, kind="register_report", key="new")
    assert draft is not None and draft.content == {"kept": True}


def test_after_shutdown_a_late_read_is_dropped_but_a_change_is_refused(database: Database, qtbot: QtBot):
    import pytest

    operations = Operations(database)
    operations.shutdown()
    operations.query(lambda session: 1)  # e.g. a refresh asked for by the last job
    with pytest.raises(RuntimeError):
        operations.mutate(lambda session: 1)


def test_an_exception_in_a_slot_reaches_the_shared_error_dialog(ops: Operations, qtbot: QtBot):
    button = QPushButton()
    qtbot.addWidget(button)

    def broken_slot() -> None:
        raise TypeError("open expected 2 arguments, got 0")

    button.clicked.connect(broken_slot)
    restore = install_error_hook(ops.errors)
    try:
        button.click()
    finally:
        restore()
    box = ops.errors.box
    assert box is not None and box.isVisible()
    assert "oväntat fel" in box.text()
    assert "broken_slot" in box.detailedText() and "open expected 2 arguments" in box.detailedText()
    box.close()
