"""A child process of bench_queue.py: starts a bare PySide6 window or the main window on a
database, says when its first page is painted, optionally scrolls the queue and reports the
longest GUI-thread stall. Prints one JSON line; the parent times the process from spawn."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
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
    print(json.dumps({"shown": True}), flush=True)


def main_window(url: str, now: str, scroll_pages: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from mottagning.access.users import actor_for
    from mottagning.db.database import open_database
    from mottagning.models import User

    app = QApplication(sys.argv)
    database = open_database(url)
    with database.transaction() as session:
        actor = actor_for(session.execute(select(User).where(User.username == "maria")).scalar_one())
    from ui.main_window import MainWindow
    from ui.widgets.gc_policy import GuiThreadCollector, freeze_once_loaded

    collector = GuiThreadCollector(app)  # the program's own garbage-collection policy
    moment = datetime.fromisoformat(now).astimezone(UTC)
    window = MainWindow(database, actor, clock=lambda: moment)
    freeze_once_loaded(window, collector)
    window.show()
    while not window.model.loaded_once:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    result: dict[str, float | int] = {"rows": window.model.rowCount()}
    print(json.dumps(result), flush=True)
    if scroll_pages:
        clock, worst, ticks = QElapsedTimer(), [0.0], [0]

        def heartbeat() -> None:
            worst[0] = max(worst[0], clock.nsecsElapsed() / 1e6)
            ticks[0] += 1
            clock.restart()

        beat = QTimer(interval=0)
        beat.timeout.connect(heartbeat)
        clock.start()
        beat.start()
        bar = window.table.verticalScrollBar()
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
        print(json.dumps({"rows": window.model.rowCount(), "worst_stall_ms": worst[0],
                          "ticks": ticks[0]}), flush=True)
    window.close()
    database.dispose()


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        main_window(sys.argv[2], sys.argv[3], int(sys.argv[4]))
