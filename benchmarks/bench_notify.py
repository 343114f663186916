"""Team mode: change-notification latency between two desks, and the cost of refreshing
one changed queue row.

One desk commits a change (a claim of a queue item: one small transaction with its audit
event and its NOTIFY); a second desk, on its own engine and connection, listens as the GUI
does (`mottagning.audit.changes.listen_postgresql`). Measured: from the start of the
transaction at the first desk (the claim, its audit event, the commit) to the notice
arriving at the second, 100 times; recorded as the median
(small_ms) and the worst (large_ms). Orientation only (target None); the promise is 2 s.

Refresh: a desk told that one item changed reloads only that row
(`reread_items([id])`, what `QueueModel.refresh_items` runs) with 100 and with 10,000 open
items, target ≤ 2× (the cost must not grow with the queue). The queues are the bulk demo's
reports of the last two days (it leaves about 90 % of those open), so "open items" are open;
each refreshed item is on the queue, so every refresh fetches its row. Both sizes are
measured in turn, five rounds of the best of 10 items each, and the medians compared (the
machine's load then falls on both). The note gives the statements one refresh runs and the
rows it fetches at each size, which must not grow either.

The server is MOTTAGNING_BENCH_PG (a URL of an empty database; `{name}` in it is replaced
by the database's name) or a throwaway server started like the test suite's.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# a key for the benchmark's own embedded databases (synthetic data only)
os.environ.setdefault("MOTTAGNING_DB_KEY", secrets.token_hex(32))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import record  # noqa: E402
from sqlalchemy import create_engine, event, select, text  # noqa: E402

from mottagning.access.users import actor_for, add_user  # noqa: E402
from mottagning.audit.changes import ChangeNotice, listen_postgresql  # noqa: E402
from mottagning.db.database import Database, create_db_engine, open_database  # noqa: E402
from mottagning.demo_bulk import fill_bulk  # noqa: E402
from mottagning.intake.reports import ChildInput  # noqa: E402
from mottagning.models import QueueItem, User  # noqa: E402
from mottagning.queue.items import assign_items  # noqa: E402
from mottagning.queue.keyset import OPEN_CLASS_VALUES  # noqa: E402
from mottagning.queue.listing import reread_items  # noqa: E402

ROUNDS = 100
REFRESH_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
REFRESH_SIZES = (100, 10_000)
REFRESH_ROUNDS = 5
OPEN_PER_REPORT = 1.26  # about 1.4 children a report, 90 % of the last two days' items open


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


class OpenQueue:
    """A database whose queue has about `open_items` open items, and ten of them to refresh."""

    def __init__(self, url: str, open_items: int):
        self.database = open_database(url, migrate=True)
        result = fill_bulk(self.database, reports=max(1, round(open_items / OPEN_PER_REPORT)),
                           seed=1, now=REFRESH_NOW, start=REFRESH_NOW - timedelta(days=1.9))
        self.open_items = result.open_items
        with self.database.transaction() as session:
            self.actor = actor_for(session.execute(
                select(User).where(User.username == "maria")).scalar_one())
            open_ids = session.execute(
                select(QueueItem.id).where(QueueItem.urgency_class.in_(OPEN_CLASS_VALUES))
                .order_by(QueueItem.id)).scalars().all()
        step = max(1, len(open_ids) // 10)
        self.sample = open_ids[::step][:10]

    def refresh(self, item_id: int):  # type: ignore[no-untyped-def]
        with self.database.transaction() as session:
            return reread_items(session, self.actor, [item_id], now=REFRESH_NOW,
                                group_mass_reports=True)

    def best_ms(self) -> float:
        best = float("inf")
        for item_id in self.sample:
            start = time.perf_counter()
            page = self.refresh(item_id)
            best = min(best, time.perf_counter() - start)
            assert page.rows, f"item {item_id} is open but its refresh fetched no row"
        return best * 1000

    def statements_and_rows(self) -> tuple[float, float]:
        """Per refresh, on average over the sample: statements run and rows fetched."""
        statements = 0

        def count(*_args: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(self.database.engine, "before_cursor_execute", count)
        try:
            rows = sum(len(self.refresh(item_id).rows) for item_id in self.sample)
        finally:
            event.remove(self.database.engine, "before_cursor_execute", count)
        # each refresh is one transaction: its BEGIN is not the refresh's work
        transactions = len(self.sample) if self.database.engine.dialect.name == "sqlite" else 0
        return (statements - transactions) / len(self.sample), rows / len(self.sample)


def refresh_one_row(urls: tuple[str, str]) -> tuple[float, float, str]:
    """Medians of the rounds' best refresh at 100 and at 10,000 open items, and a note."""
    queues = [OpenQueue(url, size) for url, size in zip(urls, REFRESH_SIZES, strict=True)]
    try:
        rounds: list[list[float]] = [[] for _ in queues]
        for _ in range(REFRESH_ROUNDS):
            for queue, times in zip(queues, rounds, strict=True):
                times.append(queue.best_ms())
        counts = [queue.statements_and_rows() for queue in queues]
        note = ("reread_items([id]) as QueueModel.refresh_items runs it; open items "
                + " → ".join(str(q.open_items) for q in queues) + "; statements per refresh "
                + " → ".join(f"{c[0]:g}" for c in counts) + "; rows fetched "
                + " → ".join(f"{c[1]:g}" for c in counts))
        return statistics.median(rounds[0]), statistics.median(rounds[1]), note
    finally:
        for queue in queues:
            queue.database.dispose()


def measure(database: Database) -> list[float]:
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
        server_refresh = refresh_one_row((small_url, large_url))
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        embedded_refresh = refresh_one_row((f"sqlite:///{folder}/small.db",
                                            f"sqlite:///{folder}/large.db"))
    median, worst = statistics.median(latencies), max(latencies)
    record("notify latency between two connections (median → worst of 100)",
           small_ms=median, large_ms=worst, target=None,
           note=f"claim transaction start → notice at a second desk; promise 2000 ms; "
                f"p95 {statistics.quantiles(latencies, n=20)[-1]:.2f} ms")
    for backend, (small, large, note) in (("postgresql", server_refresh),
                                          ("sqlite", embedded_refresh)):
        record(f"queue refresh of one changed row, 100 → 10,000 open items ({backend})",
               small_ms=small, large_ms=large, target=2.0, note=note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
