"""Change notifications: every committed change is announced to the other desks.

Every change passes through a transaction that appends audit events, so this is where it is
announced. On PostgreSQL the transaction sends a NOTIFY on `CHANNEL` just before it
commits: PostgreSQL delivers it when, and only if, the change commits, carrying what changed
(the tables, the queue item ids, the child ids). A desk listens on its own connection
(`listen_postgresql`) and reconnects by itself when the server goes away. On the embedded
database (one desk, perhaps the importer beside it) `poll_audit_log` reads the audit events
after the last one seen instead.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from mottagning.audit.reads import is_read
from mottagning.models import AuditEvent, QueueItem

CHANNEL = "mottagning_changes"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: longer lists become "everything".
MAX_IDS = 400
# Tables whose rows are bookkeeping, not something another desk shows.
QUIET_TABLES = frozenset({"audit_events", "audit_head", "audit_anchors", "drafts",
                          "sign_in_states"})
# What each table (on PostgreSQL) or audited entity (on SQLite) means for the screens.
KINDS_OF_TABLE = {
    "queue_items": {"queue"}, "reports": {"queue"}, "children": {"queue"},
    "guardians": {"queue"}, "assessments": {"queue"}, "report_corrections": {"queue"},
    "attachments": {"queue"}, "child_merges": {"queue"}, "child_address_changes": {"queue"},
    "decisions": {"queue", "decisions"}, "decision_extensions": {"queue", "decisions"},
    "feedback_tasks": {"queue", "decisions"}, "issued_letters": {"letters"},
    "letter_template_versions": {"letters"}, "alarms": {"alarms"}, "import_sources": {"alarms"},
}
TABLE_OF_ENTITY = {
    "queue_item": "queue_items", "report": "reports", "child": "children",
    "guardian": "guardians", "assessment": "assessments", "child_merge": "child_merges",
    "decision": "decisions", "decision_extension": "decision_extensions",
    "feedback_task": "feedback_tasks", "letter": "issued_letters",
    "letter_template": "letter_template_versions", "alarm": "alarms",
    "import_source": "import_sources", "setting": "settings", "user": "users",
}

_PENDING = "changes_pending"
STOP_WAIT_S = 0.25  # how long a listener may take to notice that it should stop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeNotice:
    """What another transaction changed. `complete` is False when the lists were cut
    short (or a desk missed notices while disconnected): refresh everything then."""

    tables: frozenset[str] = frozenset()
    item_ids: tuple[int, ...] = ()
    child_ids: tuple[int, ...] = ()
    complete: bool = True

    @property
    def kinds(self) -> frozenset[str]:
        """'queue', 'decisions', 'letters', 'alarms': which screens show what changed."""
        if not self.complete:
            return frozenset({"queue", "decisions", "letters", "alarms"})
        return frozenset(k for table in self.tables for k in KINDS_OF_TABLE.get(table, ()))

    def payload(self) -> str:
        data: dict[str, Any] = {"t": sorted(self.tables)}
        if self.complete and len(self.item_ids) <= MAX_IDS and len(self.child_ids) <= MAX_IDS:
            data["i"], data["c"] = sorted(self.item_ids), sorted(self.child_ids)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_payload(cls, payload: str) -> ChangeNotice:
        try:
            data = json.loads(payload)
            complete = "i" in data
            return cls(frozenset(data.get("t", ())), tuple(int(i) for i in data.get("i", ())),
                       tuple(int(c) for c in data.get("c", ())), complete)
        except (ValueError, TypeError, AttributeError):
            return EVERYTHING


EVERYTHING = ChangeNotice(complete=False)


@dataclass
class _Pending:
    tables: set[str] = field(default_factory=set)
    item_ids: set[int] = field(default_factory=set)
    child_ids: set[int] = field(default_factory=set)
    complete: bool = True

    def notice(self) -> ChangeNotice:
        return ChangeNotice(frozenset(self.tables), tuple(self.item_ids), tuple(self.child_ids),
                            self.complete)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    # After a flush the session still lists what the flush wrote.
    pending: _Pending | None = session.info.get(_PENDING)
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(getattr(obj, "__table__", None), "name", None)
        if table is None or table in QUIET_TABLES:
            continue
        if pending is None:
            pending = session.info[_PENDING] = _Pending()
        pending.tables.add(table)
        item_id = obj.id if isinstance(obj, QueueItem) else getattr(obj, "item_id", None)
        if isinstance(item_id, int):
            pending.item_ids.add(item_id)
        child_id = getattr(obj, "child_id", None)
        if isinstance(child_id, int):
            pending.child_ids.add(child_id)


@event.listens_for(Session, "do_orm_execute")
def _collect_bulk(state: ORMExecuteState) -> None:
    # A bulk UPDATE/DELETE (weeding, say) bypasses the unit of work: which rows it touched
    # is unknown, so a table the screens show is announced as "refresh everything".
    if not (state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table is None or table in QUIET_TABLES:
        return
    pending: _Pending = state.session.info.setdefault(_PENDING, _Pending())
    pending.tables.add(table)
    if table in KINDS_OF_TABLE:
        pending.complete = False


@event.listens_for(Session, "before_commit")
def _notify_before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # what the commit would flush is collected too
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": CHANNEL, "payload": pending.notice().payload()})


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def latest_event_id(session: Session) -> int:
    """Where an embedded-database poller starts: the newest audit event now."""
    return session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)
                           ).scalar() or 0


def poll_audit_log(session: Session, after_event_id: int, *, limit: int = 2000
                   ) -> tuple[ChangeNotice | None, int]:
    """The changes audited after `after_event_id` (reads are not changes), and the id to
    poll from next time. The embedded database's stand-in for LISTEN."""
    rows = session.execute(
        select(AuditEvent.id, AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id,
               AuditEvent.child_id)
        .where(AuditEvent.id > after_event_id).order_by(AuditEvent.id).limit(limit)
    ).all()
    if not rows:
        return None, after_event_id
    pending = _Pending()
    for _id, action, entity_type, entity_id, child_id in rows:
        if is_read(action) and entity_type != "alarm":
            continue
        pending.tables.add(TABLE_OF_ENTITY.get(entity_type or "", entity_type or "other"))
        if entity_type == "queue_item" and entity_id is not None:
            pending.item_ids.add(entity_id)
        if child_id is not None:
            pending.child_ids.add(child_id)
    last = rows[-1][0]
    if len(rows) == limit:
        return EVERYTHING, last
    return (pending.notice() if pending.tables else None), last


Connected = Callable[[bool], None]


def listen_postgresql(
    engine: Engine, *, on_notice: Callable[[ChangeNotice], None],
    should_stop: Callable[[], bool], on_connection: Connected | None = None,
    check_every_s: float = 1.0, retry_every_s: float = 1.0,
) -> None:
    """Receive the notices of every desk until `should_stop()`; blocks (run it off the GUI
    thread). `on_connection(False)` when the server cannot be reached (noticed within
    about `check_every_s` plus the connect timeout), `on_connection(True)` on each
    (re)connection: notices sent meanwhile are lost, so the caller refreshes everything."""
    connected: bool | None = None

    def report(state: bool) -> None:
        nonlocal connected
        if state != connected:
            connected = state
            if on_connection is not None:
                on_connection(state)

    while not should_stop():
        raw = None
        try:
            raw = engine.raw_connection()
            connection = raw.driver_connection
            connection.rollback()
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            report(True)
            checked = time.monotonic()
            while not should_stop():
                # short waits, so that a closing window is not kept waiting
                for notify in connection.notifies(timeout=min(check_every_s, STOP_WAIT_S)):
                    on_notice(ChangeNotice.from_payload(notify.payload))
                if time.monotonic() - checked >= check_every_s:
                    connection.execute("SELECT 1")  # a dead server is noticed here
                    checked = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - any failure means: no contact, try again
            log.info("change notifications: no contact with the server (%s)", exc)
            report(False)
            deadline = time.monotonic() + retry_every_s
            while time.monotonic() < deadline and not should_stop():
                time.sleep(0.05)
        finally:
            if raw is not None:
                try:
                    raw.invalidate()  # never back into the pool: it is LISTENing
                except Exception:  # noqa: BLE001
                    pass
