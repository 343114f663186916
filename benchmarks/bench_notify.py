"""Team mode: change-notification latency between two desks, and the cost of refreshing
one changed queue row.

One desk commits a change (a claim of a queue item: one small transaction with its audit
event and its NOTIFY); a second desk, on its own engine and connection, listens as the GUI
does (`mottagning.audit.changes.listen_postgresql`). Measured: from the start of the
transaction at the first desk (the claim, its audit event, the commit) to the notice
arriving at the second, 100 times; recorded as the median
(small_ms) and the worst (large_ms). Orientation only (target None); the promise is 2 s.

Refresh: a desk told that one item changed reloads only that row
(`reread_items([id])`, what `QueueModel.refresh_items` runs); measured (best of 10)
with 100 and with 10,000 open items, target ≤ 2× (the cost must not grow with the queue).
The data is bench_stats' synthetic year, on the embedded database and on the server.

The server is MOTTAGNING_BENCH_PG (a URL of an empty database; `{name}` in it is replaced
by the database's name) or a throwaway server started like the test suite's.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import record  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from mottagning.access.users import actor_for, add_user  # noqa: E402
from mottagning.audit.changes import ChangeNotice, listen_postgresql  # noqa: E402
from mottagning.db.database import Database, create_db_engine, open_database  # noqa: E402
from mottagning.intake.reports import ChildInput  # noqa: E402
from mottagning.models import User  # noqa: E402
from mottagning.queue.items import assign_items  # noqa: E402

ROUNDS = 100


def _server_urls(*names: str) -> tuple[list[str], object | None]:
    template = os.environ.get("MOTTAGNING_BENCH_PG")
    if template:
        return [template.replace("{name}", name) for name in names], None
    from tests import pg

    server = pg.start_server()
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return [server.url(name) for name in names], server


def refresh_one_row_ms(url: str, items: int) -> float:
    """Best of 10: reloading one changed row of a queue of about `items` open items."""
    from bench_stats import NOW, fill

    from mottagning.queue.listing import reread_items

    database = open_database(url, migrate=True)
    try:
        actor, last_item = fill(database, max(1, round(items / 1.4)))
        best = float("inf")
        for n in range(10):
            item_id = last_item - n * 7
            with database.transaction() as session:
                start = time.perf_counter()
                page = reread_items(session, actor, [item_id], now=NOW, group_mass_reports=True)
                best = min(best, time.perf_counter() - start)
            assert item_id in [row.id for row in page.rows] or not page.rows, page.rows
        return best * 1000
    finally:
        database.dispose()


def measure(database: Database) -> list[float]:
    from datetime import UTC, datetime

    from tests.core.factories import register_simple

    now = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    with database.transaction() as session:
        add_user(session, None, username="anna", full_name="Anna Bench", roles=["worker"])
        actor = actor_for(session.query(User).filter_by(username="anna").one())
    item_id = register_simple(database, actor, now=now, children=(
        ChildInput(name="Ella Andersson", personnummer="20150312-2382"),)).item_ids[0]

    received: dict[int, float] = {}
    arrived = threading.Condition()
    stop = threading.Event()
    connected = threading.Event()
    listener_engine = create_db_engine(database.url)

    def on_notice(notice: ChangeNotice) -> None:
        with arrived:
            received[len(received)] = time.perf_counter()
            arrived.notify_all()

    thread = threading.Thread(target=listen_postgresql, kwargs=dict(
        engine=listener_engine, on_notice=on_notice, should_stop=stop.is_set,
        on_connection=lambda up: connected.set() if up else None, check_every_s=0.2),
        daemon=True)
    thread.start()
    connected.wait(10)
    time.sleep(0.3)
    latencies = []
    for n in range(ROUNDS):
        started = time.perf_counter()
        with database.transaction() as session:
            assign_items(session, actor, [item_id], actor.user_id if n % 2 else None, now=now)
        with arrived:
            arrived.wait_for(lambda n=n: n in received, timeout=5)
        latencies.append((received[n] - started) * 1000)
    stop.set()
    thread.join(5)
    listener_engine.dispose()
    return latencies


def main() -> int:
    import tempfile

    (notify_url, small_url, large_url), server = _server_urls(
        "bench_notify", "bench_refresh_small", "bench_refresh_large")
    try:
        database = open_database(notify_url, migrate=True)
        try:
            latencies = measure(database)
        finally:
            database.dispose()
        server_refresh = (refresh_one_row_ms(small_url, 100), refresh_one_row_ms(large_url, 10_000))
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        embedded_refresh = (refresh_one_row_ms(f"sqlite:///{folder}/small.db", 100),
                            refresh_one_row_ms(f"sqlite:///{folder}/large.db", 10_000))
    median, worst = statistics.median(latencies), max(latencies)
    record("notify latency between two connections (median → worst of 100)",
           small_ms=median, large_ms=worst, target=None,
           note=f"claim transaction start → notice at a second desk; promise 2000 ms; "
                f"p95 {statistics.quantiles(latencies, n=20)[-1]:.2f} ms")
    for backend, (small, large) in (("postgresql", server_refresh), ("sqlite", embedded_refresh)):
        record(f"queue refresh of one changed row, 100 → 10,000 open items ({backend})",
               small_ms=small, large_ms=large, target=2.0,
               note="reread_items([id]) as QueueModel.refresh_items runs it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
