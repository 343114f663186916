"""PDF/file work on the pool: results and the job's closures come back to the GUI thread."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WAIT_MS
from ui.operations.files import PdfWork


class _Sentinel:
    """Records the thread it is destroyed on (as a widget held by a closure would be)."""

    def __init__(self, seen: dict[str, int]):
        self._seen = seen

    def __del__(self) -> None:
        self._seen["released"] = threading.get_ident()


def test_a_finished_jobs_closures_are_released_on_the_gui_thread(qtbot: QtBot):
    owner = QWidget()
    qtbot.addWidget(owner)
    work = PdfWork(owner)
    seen: dict[str, int] = {}
    results: list[int] = []

    def job_holding(sentinel: _Sentinel):  # type: ignore[no-untyped-def]
        def render() -> int:
            seen["ran"] = threading.get_ident()
            return 1 if sentinel else 0
        return render

    work.run(job_holding(_Sentinel(seen)), success=results.append, failure=lambda error: None)
    qtbot.waitUntil(lambda: work.idle, timeout=WAIT_MS)
    qtbot.wait(50)  # time for a pool thread to let go of its runnable
    gc.collect()
    assert results == [1]
    assert seen["ran"] != threading.get_ident()
    assert seen["released"] == threading.get_ident()


def test_only_the_newest_requests_result_is_delivered(qtbot: QtBot):
    owner = QWidget()
    qtbot.addWidget(owner)
    work = PdfWork(owner)
    first_may_finish = threading.Event()
    delivered: list[str] = []

    def slow() -> str:
        first_may_finish.wait(WAIT_MS / 1000)
        return "old"

    work.run(slow, success=delivered.append, failure=lambda error: None)
    work.run(lambda: "new", success=delivered.append, failure=lambda error: None)
    qtbot.waitUntil(lambda: delivered == ["new"], timeout=WAIT_MS)
    first_may_finish.set()
    qtbot.waitUntil(lambda: work.idle, timeout=WAIT_MS)
    assert delivered == ["new"]


def test_a_failure_reaches_the_failure_callback_on_the_gui_thread(qtbot: QtBot):
    owner = QWidget()
    qtbot.addWidget(owner)
    work = PdfWork(owner)
    failures: list[tuple[BaseException, int]] = []
    work.run(lambda: 1 / 0, success=lambda result: None,
             failure=lambda error: failures.append((error, threading.get_ident())))
    qtbot.waitUntil(lambda: work.idle, timeout=WAIT_MS)
    [(error, thread)] = failures
    assert isinstance(error, ZeroDivisionError) and thread == threading.get_ident()
