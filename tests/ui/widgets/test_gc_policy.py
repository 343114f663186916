"""Garbage collection on the GUI thread in short pauses: frozen heap, young generations by
threshold, a full collection only when a window closes or on a long timer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WAIT_MS
from ui.widgets.gc_policy import FULL_INTERVAL_MS, GuiThreadCollector, freeze_once_loaded


@pytest.fixture
def generations() -> Iterator[list[int]]:
    """The generation of every collection that runs while the test does."""
    seen: list[int] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(callback)
    yield seen
    gc.callbacks.remove(callback)


def _make_cycles(n: int) -> None:
    for _ in range(n):
        a: list = []
        a.append(a)


def test_young_generations_are_collected_by_threshold_never_fully(
    qtbot: QtBot, generations: list[int]
) -> None:
    # what earlier tests left to be deleted goes first (its deallocations would lower the
    # young count below the threshold again before the check runs)
    qtbot.wait(50)
    gc.collect()
    generations.clear()
    collector = GuiThreadCollector(young_check_ms=20)
    assert not gc.isenabled()
    _make_cycles(2 * gc.get_threshold()[0])
    qtbot.waitUntil(lambda: generations != [], timeout=WAIT_MS)
    assert gc.get_count()[0] < gc.get_threshold()[0]
    assert 2 not in generations
    assert collector._full.interval() == FULL_INTERVAL_MS >= 5 * 60_000


def test_a_closed_dialog_brings_a_full_collection(qtbot: QtBot, generations: list[int]) -> None:
    collector = GuiThreadCollector()
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    collector.on_focus_window_changed(dialog.windowHandle())
    dialog.close()
    collector.on_focus_window_changed(None)
    qtbot.waitUntil(lambda: 2 in generations, timeout=WAIT_MS)


def test_the_heap_is_frozen_once_the_window_has_loaded(
    database, worker, make_window, qtbot: QtBot
) -> None:
    collector = GuiThreadCollector()
    window = make_window(worker)
    try:
        freeze_once_loaded(window, collector)
        window.refresh()
        qtbot.waitUntil(lambda: collector.frozen, timeout=WAIT_MS)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_full_collection_waits_while_the_queue_scrolls(qtbot: QtBot, generations: list[int]) -> None:
    collector = GuiThreadCollector(quiet_ms=300)
    collector.note_activity()  # the queue scrolled, rows arrived
    collector.collect_when_quiet()
    qtbot.wait(100)
    assert 2 not in generations
    qtbot.waitUntil(lambda: 2 in generations, timeout=WAIT_MS)


def test_freezing_collects_only_the_young_generations(generations: list[int]) -> None:
    collector = GuiThreadCollector()
    try:
        collector.freeze()
        assert collector.frozen and gc.get_freeze_count() > 0
        assert generations == [1]
    finally:
        gc.unfreeze()


def test_while_the_queue_scrolls_only_generation_0_is_collected(generations: list[int]) -> None:
    collector = GuiThreadCollector(quiet_ms=60_000)
    collector._young.stop()  # the test calls it itself
    for _ in range(gc.get_threshold()[1]):
        gc.collect(0)  # generation 1's count passes its threshold
    _make_cycles(2 * gc.get_threshold()[0])
    generations.clear()
    collector.note_activity()
    collector.collect_young()
    assert generations == [0]
