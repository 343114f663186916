"""Change-notification latency between two desks on one PostgreSQL server.

One desk commits a change (a claim of a queue item: one small transaction with its audit
event and its NOTIFY); a second desk, on its own engine and connection, listens as the GUI
does (`mottagning.audit.changes.listen_postgresql`). Measured: from the start of the
transaction at the first desk (the claim, its audit event, the commit) to the notice
arriving at the second, 100 times; recorded as the median
(small_ms) and the worst (large_ms). Orientation only (target None); the promise is 2 s.

The server is MOTTAGNING_BENCH_PG (a URL of an empty database) or a throwaway server
started like the test suite's.
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


def _server_url() -> tuple[str, object | None]:
    url = os.environ.get("MOTTAGNING_BENCH_PG")
    if url:
        return url, None
    from tests import pg

    server = pg.start_server()
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE bench_notify"))
    admin.dispose()
    return server.url("bench_notify"), server


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
    url, server = _server_url()
    try:
        database = open_database(url, migrate=True)
        try:
            latencies = measure(database)
        finally:
            database.dispose()
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
    median, worst = statistics.median(latencies), max(latencies)
    record("notify latency between two connections (median → worst of 100)",
           small_ms=median, large_ms=worst, target=None,
           note=f"claim transaction start → notice at a second desk; promise 2000 ms; "
                f"p95 {statistics.quantiles(latencies, n=20)[-1]:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
