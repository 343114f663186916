"""Change notifications: a change at one desk reaches the others (NOTIFY on PostgreSQL, the
audit log polled on the embedded database)."""

from __future__ import annotations

import threading
import time

import pytest

from mottagning.audit.changes import (
    EVERYTHING,
    ChangeNotice,
    latest_event_id,
    listen_postgresql,
    poll_audit_log,
)
from mottagning.db.database import Database, create_db_engine
from mottagning.queue.items import assign_items
from mottagning.queue.listing import list_queue
from tests.core.factories import register_simple


class Listener:
    """A second desk: its own engine and connection, listening on a thread."""

    def __init__(self, url: str):
        self.engine = create_db_engine(url)
        self.notices: list[tuple[float, ChangeNotice]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        listen_postgresql(
            self.engine, on_notice=lambda n: self.notices.append((time.monotonic(), n)),
            should_stop=self._stop.is_set,
            on_connection=lambda up: self.connected.set() if up else self.connected.clear(),
            check_every_s=0.2)

    def __enter__(self) -> Listener:
        self._thread.start()
        assert self.connected.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.engine.dispose()

    def wait_for(self, predicate, timeout: float = 2.0) -> tuple[float, ChangeNotice]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for moment, notice in self.notices:
                if predicate(notice):
                    return moment, notice
            time.sleep(0.01)
        raise AssertionError(f"no matching notice within {timeout} s: {self.notices}")


# LISTEN/NOTIFY is PostgreSQL's (the embedded database is polled): these run there only.
on_postgresql = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


@pytest.mark.postgres
@on_postgresql
def test_a_registration_reaches_a_second_connection_within_two_seconds(
    database: Database, worker, now
) -> None:
    with Listener(database.url) as desk:
        sent = time.monotonic()
        result = register_simple(database, worker, now=now)
        item_id = result.item_ids[0]
        received, notice = desk.wait_for(lambda n: item_id in n.item_ids)
    assert received - sent < 2.0
    assert {"queue_items", "reports"} <= notice.tables
    assert "queue" in notice.kinds
    with database.transaction() as session:
        row = list_queue(session, worker, now=now, audit_read=False).rows[0]
    assert row.child_id in notice.child_ids


@pytest.mark.postgres
@on_postgresql
def test_a_rolled_back_change_and_a_mere_read_announce_nothing(
    database: Database, worker, now
) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with Listener(database.url) as desk:
        with pytest.raises(RuntimeError), database.transaction() as session:
            assign_items(session, worker, [item_id], worker.user_id, now=now)
            raise RuntimeError("the user's action failed half-way")
        with database.transaction() as session:
            list_queue(session, worker, now=now)  # an audited read
        with database.transaction() as session:
            assign_items(session, worker, [item_id], worker.user_id, now=now)
        desk.wait_for(lambda n: item_id in n.item_ids)
        time.sleep(0.3)
    assert len(desk.notices) == 1


def test_the_embedded_database_is_polled_from_the_audit_log(
    database: Database, worker, now
) -> None:
    with database.transaction() as session:
        start = latest_event_id(session)
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        list_queue(session, worker, now=now)  # a read is not a change
        notice, last = poll_audit_log(session, start)
    assert notice is not None and item_id in notice.item_ids and "queue" in notice.kinds
    with database.transaction() as session:
        list_queue(session, worker, now=now)
        again, after = poll_audit_log(session, last)
    assert again is None and after > last


def test_a_notice_survives_its_payload_and_a_cut_list_means_everything() -> None:
    notice = ChangeNotice(frozenset({"queue_items"}), (3, 1), (7,))
    back = ChangeNotice.from_payload(notice.payload())
    assert back.item_ids == (1, 3) and back.child_ids == (7,) and back.complete
    huge = ChangeNotice(frozenset({"queue_items"}), tuple(range(5000)), ())
    assert len(huge.payload()) < 8000
    assert not ChangeNotice.from_payload(huge.payload()).complete
    assert ChangeNotice.from_payload("not json") == EVERYTHING
