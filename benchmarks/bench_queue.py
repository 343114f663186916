"""The queue at 1,000 reports against a large database (1,000,000 by default; set
MOTTAGNING_BENCH_QUEUE_LARGE for another size): a page, scrolling, a look-up, opening a child
with 1,100 reports, and the GUI's cold start and scrolling. A measurement, not a pass/fail
test: `make bench` reads the recorded targets.

The databases are built once with `mottagning demo --bulk` (`mottagning.demo_bulk`) at a
fixed moment and cached in benchmarks/.cache/ (ignored by git); delete a file to rebuild it.

The GUI's cold start is the real program (`ui.launcher.main`, what the `mottagning` command
runs) in a fresh process, timed from spawn until the queue's first filled page has been
painted, against a bare PySide6 window in a fresh process; best of three each. The desk's
user is the senior "maria", mapped to this computer account as `mottagning users add
--os-account` would. Like an installed program (pip and PyInstaller compile every module),
it runs on a warm bytecode cache: the project's modules are compiled before the first run
(the environment may say PYTHONDONTWRITEBYTECODE), and each measurement's best of three
runs after a first start has warmed the operating system's file cache too.
"""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = Path(__file__).resolve().parent / ".cache"
# a fixed key for the cached benchmark databases (synthetic data only)
os.environ["MOTTAGNING_DB_KEY"] = "be" * 32
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _results import record  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from mottagning.access.users import actor_for, current_os_account  # noqa: E402
from mottagning.db.database import Database, open_database  # noqa: E402
from mottagning.demo_bulk import fill_bulk  # noqa: E402
from mottagning.models import Child, QueueItem, User  # noqa: E402
from mottagning.queue.listing import list_queue, open_item  # noqa: E402
from mottagning.terminal import progress_bar  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SMALL = 1_000
LARGE = int(os.environ.get("MOTTAGNING_BENCH_QUEUE_LARGE", "1000000"))
PAGE = 200
SCROLL_PAGES = 50


def database_of(reports: int) -> Database:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"queue_{reports}.db"
    ready = path.with_suffix(".ready")
    if not ready.exists():
        for stale in CACHE.glob(f"queue_{reports}.db*"):
            stale.unlink()
        database = open_database(f"sqlite:///{path}", migrate=True)
        started, cpu = time.perf_counter(), time.process_time()
        result = fill_bulk(database, reports=reports, seed=1, now=NOW, progress=progress_bar(sys.stderr))
        wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        print(f"built {reports:,} reports ({result.items:,} items, {result.open_items:,} open, "
              f"{result.audit_events:,} audit events) in {wall_s:.0f} s ({cpu_s:.0f} s of CPU)")
        # orientation: the target is a million reports in under 15 minutes
        record(f"bulk demo build, {reports:,} reports (wall; CPU in the note)".replace(",", " "),
               small_ms=0.0, large_ms=wall_s * 1000, target=None, ratio=0.0,
               note=f"{cpu_s:.0f} s CPU, {result.audit_events} audit events")
        database.dispose()
        ready.write_text(json.dumps({"heavy_child_id": result.heavy_child_id}))
    return open_database(f"sqlite:///{path}")


def best_ms(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def senior(database: Database):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return actor_for(session.execute(select(User).where(User.username == "maria")).scalar_one())


def first_page_ms(database: Database) -> float:
    actor = senior(database)
    with database.transaction() as session:
        return best_ms(lambda: list_queue(session, actor, limit=PAGE, now=NOW, audit_read=False,
                                          group_mass_reports=True))


def scrolling_page_ms(database: Database) -> float:
    """The mean of the pages after the first, through the whole history (open and closed),
    so the small database has pages to scroll too."""
    actor = senior(database)
    with database.transaction() as session:
        page = list_queue(session, actor, limit=PAGE // 4, now=NOW, audit_read=False,
                          include_closed=True, group_mass_reports=True)
        times = []
        for _ in range(SCROLL_PAGES):
            if page.next_cursor is None:
                break
            start = time.perf_counter()
            page = list_queue(session, actor, after=page.next_cursor, limit=PAGE // 4,
                              audit_read=False, include_closed=True, group_mass_reports=True)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def lookup_ms(database: Database) -> float:
    with database.transaction() as session:
        numbers = session.execute(select(Child.personnummer).where(Child.personnummer.is_not(None))
                                  .order_by(Child.id.desc()).limit(50)).scalars().all()

        def look_up() -> None:
            for number in numbers:
                session.execute(select(Child).where(Child.personnummer == number)).scalar_one()
        return best_ms(look_up) / len(numbers)


def open_child_ms(database: Database, child_id: int) -> float:
    actor = senior(database)
    with database.transaction() as session:
        item_id = session.execute(select(QueueItem.id).where(QueueItem.child_id == child_id)
                                  .order_by(QueueItem.id.desc()).limit(1)).scalar_one()

        def opened() -> None:
            open_item(session, actor, item_id, now=NOW)
            session.expunge_all()
        result = best_ms(opened)
        session.rollback()  # the audited reads stay out of the cached database
    return result


def single_report_child(database: Database) -> int:
    with database.transaction() as session:
        return session.execute(
            select(QueueItem.child_id).group_by(QueueItem.child_id).having(func.count() == 1)
            .order_by(QueueItem.child_id.desc()).limit(1)).scalar_one()


def at_this_desk(database: Database) -> None:
    """The senior "maria" is this computer account's user (the program starts as the
    account's user; the bulk demo maps nobody)."""
    account = current_os_account()
    with database.transaction() as session:
        mapped = session.execute(select(User).where(User.os_account == account)).scalar_one_or_none()
        if mapped is None:
            session.execute(select(User).where(User.username == "maria")).scalar_one().os_account = account


# The GUI's child processes keep their window settings (sizes, column layout) out of the
# user's own configuration.
GUI_ENV = dict(os.environ, XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="bench-gui-config-"))


def gui(*arguments: str) -> tuple[float, list[dict]]:  # type: ignore[type-arg]
    """Spawn the GUI helper; the time from spawn to its first line, and all its lines."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("_gui_start.py")),
                                *arguments], stdout=subprocess.PIPE, text=True, env=GUI_ENV)
    assert process.stdout is not None
    first = process.stdout.readline()
    elapsed = (time.perf_counter() - start) * 1000
    lines = [json.loads(first)] + [json.loads(line) for line in process.stdout if line.strip()]
    process.wait()
    return elapsed, lines


def best_start(*arguments: str) -> tuple[float, float]:
    """The best wall time of three starts after a warm-up (the file cache), and the best
    CPU time the process had used by then (the machine's other work does not inflate it)."""
    gui(*arguments)
    starts = [gui(*arguments) for _ in range(3)]
    return min(wall for wall, _ in starts), min(lines[0]["cpu_ms"] for _, lines in starts)


def main() -> int:
    small, large = database_of(SMALL), database_of(LARGE)
    heavy = json.loads((CACHE / f"queue_{LARGE}.ready").read_text())["heavy_child_id"]
    label = f"{LARGE:,}".replace(",", " ")
    record(f"queue: first page, {label} vs 1 000 reports", small_ms=first_page_ms(small),
           large_ms=first_page_ms(large), target=2)
    record(f"queue: a page while scrolling, {label} vs 1 000", small_ms=scrolling_page_ms(small),
           large_ms=scrolling_page_ms(large), target=2)
    record(f"child look-up by personnummer, {label} vs 1 000", small_ms=lookup_ms(small),
           large_ms=lookup_ms(large), target=2)
    if heavy is not None:
        record("open a child with 1 100 reports vs one with one", small_ms=open_child_ms(
            large, single_report_child(large)), large_ms=open_child_ms(large, heavy), target=3)
    for database in (small, large):
        at_this_desk(database)
    compileall.compile_dir(ROOT / "mottagning", quiet=1)
    compileall.compile_dir(ROOT / "ui", quiet=1)
    bare, bare_cpu = best_start("bare")
    (small_start, _), (large_start, large_cpu) = (best_start("window", d.url, "0")
                                                  for d in (small, large))
    _, lines = gui("window", large.url, str(SCROLL_PAGES))
    record(f"GUI cold start to a filled first page, {label} vs 1 000", small_ms=small_start,
           large_ms=large_start, target=1.5)
    record(f"GUI cold start at {label} vs a bare PySide6 window", small_ms=bare,
           large_ms=large_start, target=2.5,
           note=f"the real program (ui.launcher.main), warm bytecode and file cache, best of 3; "
                f"CPU time {large_cpu:.0f} ms vs {bare_cpu:.0f} ms ({large_cpu / bare_cpu:.1f}x)")
    stall = lines[-1].get("worst_stall_ms", float("nan"))
    record(f"worst GUI-thread stall scrolling {lines[-1].get('rows')} rows of the {label} queue "
           "(absolute, < 16 ms)", small_ms=16, large_ms=stall, target=1,
           note="orientation: large_ms is the stall; the ratio is stall / 16 ms")
    small.dispose()
    large.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
