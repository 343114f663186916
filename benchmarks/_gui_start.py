"""A child process of bench_queue.py: starts a bare PySide6 window, or the real program (the
`mottagning` command's own entry point, `ui.launcher.main`) on a database, says when the
queue's first filled page is painted, optionally scrolls the queue and reports the longest
GUI-thread stall. Prints one JSON line per measurement; the parent times the process from
spawn to the first line. The first line also has the CPU time the process had used by then
(all its threads): on a machine shared with other work the wall clock waits for the CPU too.

The probe only watches: it creates the QApplication the program would create itself
(`ui.app` reuses an existing instance) as soon as the program has imported `ui.app`,
installs an event filter that notices the first paint of the queue table's viewport with
rows in it, and otherwise runs the program unchanged.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.resize(1500, 900)
    window.show()
    app.processEvents()
    print(json.dumps({"shown": True, "cpu_ms": time.process_time() * 1000}), flush=True)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls `then` right after the module `name` has been imported by the program."""

    def __init__(self, name: str, then: Callable[[], None]):
        self.name, self.then = name, then

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        assert spec is not None and spec.loader is not None
        run = spec.loader.exec_module

        def exec_module(module):  # type: ignore[no-untyped-def]
            run(module)
            self.then()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def program(url: str, scroll_pages: int) -> int:
    """The real program, watched. PySide6 must not be imported before the program imports
    it (PySide6 inspects the source of every module imported after it), so the probe waits
    until `ui.app` (the GUI's first module) is imported, then creates the QApplication that
    `ui.app` would create a moment later and watches its paint events."""
    probe: list = []  # type: ignore[type-arg]

    def watch() -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QApplication, QTableView

        app = QApplication([sys.argv[0]])

        class FirstFilledPaint(QObject):
            """The first paint of the queue's viewport with rows in it has ended at the first
            event that is not a paint (the window paints its widgets in one pass)."""

            table: QTableView | None = None
            done = False

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
                if self.done:
                    return False
                if event.type() == QEvent.Type.Paint:
                    table = watched.parent()
                    if (self.table is None and isinstance(table, QTableView)
                            and table.objectName() == "queue" and table.viewport() is watched
                            and table.model().rowCount() > 0):
                        self.table = table
                elif self.table is not None:
                    self.done = True
                    window = self.table.window()
                    print(json.dumps({"rows": self.table.model().rowCount(),
                                      "areas_at_paint": len(window.extensions),
                                      "cpu_ms": time.process_time() * 1000}), flush=True)
                    QTimer.singleShot(0, after)
                return False

        def after() -> None:
            app.removeEventFilter(filter_)
            table = filter_.table
            assert table is not None
            if scroll_pages:
                print(json.dumps(scroll(app, table, scroll_pages)), flush=True)
            table.window().close()  # the way a user quits: the program's threads stop first

        filter_ = FirstFilledPaint()
        app.installEventFilter(filter_)
        probe.append((app, filter_))

    sys.meta_path.insert(0, _AfterImport("ui.app", watch))
    from ui import launcher

    sys.argv = ["mottagning", "--db", url]
    return launcher.main()


def scroll(app, table, scroll_pages: int) -> dict:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QElapsedTimer, QTimer

    window = table.window()
    clock, worst, ticks = QElapsedTimer(), [0.0], [0]

    def heartbeat() -> None:
        worst[0] = max(worst[0], clock.nsecsElapsed() / 1e6)
        ticks[0] += 1
        clock.restart()

    while not (window.model.loaded_once and window.started):  # scrolling, not the areas' install
        app.processEvents()
    beat = QTimer(interval=0)
    beat.timeout.connect(heartbeat)
    clock.start()
    beat.start()
    bar = table.verticalScrollBar()
    target = 200 * scroll_pages
    deadline = time.monotonic() + 120
    model = window.model
    while model.rowCount() < target and time.monotonic() < deadline:
        bar.setValue(bar.maximum())
        end = time.monotonic() + 0.02
        while time.monotonic() < end:
            app.processEvents()
        if not model.canFetchMore() and window.ops.idle:
            break  # the whole queue is loaded
    beat.stop()
    return {"rows": model.rowCount(), "worst_stall_ms": worst[0], "ticks": ticks[0]}


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        sys.exit(program(sys.argv[2], int(sys.argv[3])))
