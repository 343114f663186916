"""Fixtures for the GUI tests: Qt offscreen (set in tests/conftest.py), Qt warnings fail."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mottagning.context import Actor
from mottagning.db.database import Database
from tests.conftest import FIXED_NOW
from ui.main_window import MainWindow
from ui.operations import Operations

UI_TESTS = Path(__file__).resolve().parent
WAIT_MS = 10_000
# the offscreen platform cannot do what a window manager does; not a fault of ours
OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints",
                   "This plugin does not support raise",
                   "This plugin does not support grabbing the keyboard")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A Qt warning (a bad connection, a widget touched from a thread…) fails a GUI test.
    for item in items:
        if UI_TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """As in the application (ui/widgets/gc_policy.py): no automatic collection while worker
    threads run, so a Qt object is never destroyed outside the GUI thread."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture(autouse=True)
def window_settings_in_a_temp_folder(tmp_path: Path) -> Iterator[Path]:
    """Remembered window sizes go to a fresh folder, never the user's own settings."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qsettings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def ops(database: Database, qtbot: QtBot) -> Iterator[Operations]:
    operations = Operations(database, clock=lambda: FIXED_NOW)
    yield operations
    operations.shutdown()


@pytest.fixture
def make_window(database: Database, qtbot: QtBot):  # type: ignore[no-untyped-def]
    """Open the main window for an actor once the test has put data in the database."""
    windows: list[MainWindow] = []

    def make(actor: Actor, *, demo: bool = False, extensions: tuple[str, ...] = ()) -> MainWindow:
        # the other areas' pages are tested by their own tests
        # the window's clock is the tests' fixed clock, whatever the date the suite runs on
        window = MainWindow(database, actor, demo=demo, extensions=extensions,
                            clock=lambda: FIXED_NOW)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.model.loaded_once and window.started, timeout=WAIT_MS)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
