"""`mottagning demo --bulk`: up to millions of synthetic reports in minutes (benchmarks, and
demos of a large municipality's years). Never used on a real database.

The normal demo goes through the services (0.18 s of CPU per report, mostly audited saves);
this one writes the same tables through SQLAlchemy Core in batches, one transaction per
batch: reports, children (repeat children, mass-report bursts, one child reported 1,100
times), queue items with their stored urgency keys, finished skyddsbedömningar, decisions
(about 38 % inleda utredning) and, for what it creates, audit events on the hash chain with
an anchor per batch, so `mottagning audit verify` passes. The statistics' summary rows
(`stats_items`, `stats_report_concerns`) are written by the database's triggers as the rows
come, as for any other change. About 2 % of the items stay open:
most of the last two days' and half of a backlog of recent weeks, as in a unit under pressure.

Speed (a million reports in minutes): rows are built as values already in the driver's form
(on SQLite datetimes as SQLAlchemy's text, JSON serialised once) and inserted with the raw
DB-API `executemany` inside the session's transaction, skipping SQLAlchemy's per-value type
processing. Into a new database the secondary indexes of the filled tables are dropped for
the load and created again at the end, and SQLite writes with `synchronous=OFF` until then
(restored afterwards): a crash during the load leaves a demo database to delete, nothing else.

Personnummer: only Skatteverket's test range (serials 980–999, about 260,000 numbers over
the children's birth dates) is used, so no child can be a real person. When the range is
used up (from roughly 300,000 reports), further children have no personnummer and are
identified by name and birth date, as children without a known number are.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, select, text
from sqlalchemy.orm import Session

from mottagning.audit import anchor as audit_anchor
from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.delegation import content_hash
from mottagning.demo import (
    CHANNEL_WEIGHTS,
    DESCRIPTIONS,
    REPORTER_WEIGHTS,
    database_is_empty,
    demo_users,
    synthetic_pnr,
)
from mottagning.errors import MottagningError
from mottagning.models import Assessment, AuditEvent, AuditHead, Child, Decision, QueueItem, Report
from mottagning.rules.codes import codes
from mottagning.rules.deadlines import decision_due, protection_due
from mottagning.rules.outcomes import Outcome
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status, is_decided
from mottagning.rules.urgency import next_due, urgency_class
from mottagning.timeutil import as_utc, utc_now

Progress = Callable[[int, int, str], None]
BATCH_REPORTS = 10_000
BATCH_REPORTS_LARGE = 50_000  # a new database of many reports: fewer, larger transactions
# consecutive draws that hit a used number before the test range counts as used up
NUMBER_RANGE_EXHAUSTED = 200
REPORTS_PER_DAY = 270  # a large municipality (Stockholm: 39,886 reports in 2023)
HEAVY_CHILD_REPORTS = 1_100
# 38 % of the items are investigated (Socialstyrelsen: about four in ten)
OUTCOME_WEIGHTS = {Outcome.INLEDA_UTREDNING: 38, Outcome.INTE_INLEDA_UTREDNING: 50,
                   Outcome.TILLFORS_PAGAENDE_UTREDNING: 8, Outcome.VIDAREBEFORDRAS: 4}
OPEN_STATUS_WEIGHTS = {Status.RECEIVED: 10, Status.PROTECTION_ASSESSED: 25,
                       Status.INITIAL_ASSESSMENT: 40, Status.DECISION_PROPOSED: 15,
                       Status.RETURNED: 3, Status.DECISION_SIGNED: 7}
# What `delegation.content_of` reads that the bulk rows leave empty (NULL in the database)
_UNSET_DECISION = dict.fromkeys((
    "open_support_offered", "guardians_to_be_informed", "ongoing_investigation",
    "forward_municipality", "violence_reason", "overrun_reason", "corrects_decision_id",
    "correction_reason"))
FIRST_NAMES = ("Alva", "Elsa", "Maja", "Vera", "Alice", "Ella", "Wilma", "Saga", "Noah", "Hugo",
               "Liam", "William", "Lucas", "Adam", "Elias", "Oliver", "Nora", "Leo", "Ines", "Omar")
SURNAMES = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
            "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hassan", "Ali", "Berg")


# A database with no reports and no more audit events than its setting up leaves is new: only
# then does the load drop indexes and write without waiting for the disk.
NEW_DATABASE_EVENTS = 1_000
# The statistics summary's triggers (migration 0080) fill stats_items as the rows come: they
# seek an item's signed decisions, and a child's items (a child's row fires too), through
# these indexes. Without them every insert reads the whole table: the load grows with the
# square of its size (100,000 reports: 8 s for the first 10,000, 200 s for the ninth).
SUMMARY_TRIGGER_INDEXES = frozenset({"ix_decisions_stats_first_signed", "ix_queue_items_child_id"})
LOAD_CACHE_KIB = 256 * 1024  # SQLite's page cache during the load (the unique indexes grow at random)


def _sqlite_time(moment: datetime) -> str:
    """SQLAlchemy's SQLite text for a UTC moment ('2026-11-23 09:00:00.000000')."""
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _iso(day: Any) -> str:
    return day.isoformat()


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class BulkResult:
    reports: int
    items: int
    open_items: int
    audit_events: int
    heavy_child_id: int | None


@dataclass
class _Ids:
    report: int = 0
    child: int = 0
    item: int = 0
    decision: int = 0
    event: int = 0


@dataclass
class _Batch:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {
        "reports": [], "children": [], "items": [], "assessments": [], "decisions": [], "events": []})


class _Generator:
    """Synthetic rows in the shape of a real unit's years (no text that could be a case)."""

    def __init__(self, *, reports: int, seed: int, now: datetime, start: datetime,
                 users: dict[str, Actor], sqlite: bool):
        self.rng = random.Random(seed)
        # values in the driver's form: SQLite stores SQLAlchemy's text for dates and times
        self.ts: Callable[[datetime], Any] = _sqlite_time if sqlite else _same
        self.day: Callable[[Any], Any] = _iso if sqlite else _same
        self.now, self.start, self.reports = now, start, reports
        self.span = (now - start).total_seconds()
        # half of the last weeks' items are still open (about 2 % of all items)
        self.backlog = (now - start) * 0.04
        self.users = users
        self.ids = _Ids()
        lists = codes()
        self.violence = sorted(lists.violence_concerns)
        self.other = sorted(set(lists.concern_categories) - lists.violence_concerns)
        self.categories = list(REPORTER_WEIGHTS)
        self.category_weights = list(REPORTER_WEIGHTS.values())
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(CHANNEL_WEIGHTS.values())
        self.outcomes = [o.value for o in OUTCOME_WEIGHTS]
        self.outcome_weights = list(OUTCOME_WEIGHTS.values())
        self.open_statuses = [s.value for s in OPEN_STATUS_WEIGHTS]
        self.open_weights = list(OPEN_STATUS_WEIGHTS.values())
        self.used_numbers: set[str] = set()
        self.number_misses = 0  # consecutive draws of a used number
        self.recent_children: list[int] = []
        self.heavy_child: int | None = None
        self.heavy_every = reports // HEAVY_CHILD_REPORTS if reports >= 5 * HEAVY_CHILD_REPORTS else 0
        self.burst_child: int | None = None
        self.burst_left = 0
        self.open_items = 0

    def _new_child(self, batch: _Batch, received: datetime) -> int:
        self.ids.child += 1
        birth = received.date() - timedelta(days=self.rng.randint(30, 17 * 365))
        number: str | None = None
        if self.number_misses < NUMBER_RANGE_EXHAUSTED:
            number = synthetic_pnr(self.rng, birth, coordination=self.rng.random() < 0.04)
            self.number_misses = self.number_misses + 1 if number in self.used_numbers else 0
            if number in self.used_numbers or self.rng.random() < 0.05:
                number = None  # the test range is small; some children have no known number
            else:
                self.used_numbers.add(number)  # type: ignore[arg-type]
        batch.rows["children"].append(dict(
            id=self.ids.child, personnummer=number, birth_date=self.day(birth),
            name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}",
            coordination_number=bool(number) and int(number[6:8]) > 60, protected_identity=self.rng.random() < 0.01,
            created_at=self.ts(received)))
        self.recent_children.append(self.ids.child)
        if len(self.recent_children) > 20_000:
            del self.recent_children[:10_000]
        return self.ids.child

    def _children_of(self, batch: _Batch, number: int, received: datetime) -> list[int]:
        if self.heavy_every and number % self.heavy_every == 0:
            if self.heavy_child is None:
                self.heavy_child = self._new_child(batch, received)
            return [self.heavy_child]
        if self.burst_left > 0 and self.burst_child is not None:
            self.burst_left -= 1
            return [self.burst_child]
        if self.rng.random() < 1 / 3000:  # a mass-report burst begins: 5–15 reports in days
            self.burst_child, self.burst_left = self._new_child(batch, received), self.rng.randint(5, 15)
            return [self.burst_child]
        kids: list[int] = []
        for _ in range(self.rng.choices((1, 2, 3), weights=(70, 22, 8))[0]):
            if self.recent_children and self.rng.random() < 0.15:
                child = self.rng.choice(self.recent_children)  # reported before
                if child not in kids:
                    kids.append(child)
                    continue
            kids.append(self._new_child(batch, received))
        return kids

    def event(self, batch: _Batch, *, at: datetime, user: Actor, action: str, entity_type: str,
              entity_id: int, child_id: int | None = None,
              details: dict[str, Any] | None = None) -> None:
        self.ids.event += 1
        batch.rows["events"].append(dict(
            id=self.ids.event, occurred_at=at, user_id=user.user_id, actor=user.username,
            action=action, entity_type=entity_type, entity_id=entity_id, child_id=child_id,
            details=details or _DEMO_DETAILS))

    def report(self, batch: _Batch, number: int) -> None:
        rng = self.rng
        # reports come in time order; a burst's reports follow each other within days
        received = self.start + timedelta(seconds=self.span * (number + rng.random()) / self.reports)
        worker = self.users[rng.choice(("anna", "erik"))]
        self.ids.report += 1
        report_id = self.ids.report
        category = rng.choices(self.categories, weights=self.category_weights)[0]
        concerns = [rng.choice(self.violence)] if rng.random() < 0.2 else []
        concerns += rng.sample(self.other, k=rng.randint(0 if concerns else 1, 2))
        danger = bool(concerns[:1] and concerns[0] in self.violence) and rng.random() < 0.25
        anonymous = category == "anonym"
        kids = self._children_of(batch, number, received)
        at = self.ts(received)
        batch.rows["reports"].append(dict(
            id=report_id, received_at=at,
            channel=rng.choices(self.channels, weights=self.channel_weights)[0],
            reporter_category=category, reporter_anonymous=anonymous,
            reporter_name=None if anonymous else f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            reporter_wants_feedback=not anonymous and rng.random() < 0.5,
            concern_codes=json.dumps(concerns),
            description=" ".join(DESCRIPTIONS[c] for c in concerns[:2]), immediate_danger=danger,
            registered_at=at, registered_by_id=worker.user_id,
            version=1))
        self.event(batch, at=received, user=worker, action="report_registered",
                   entity_type="report", entity_id=report_id)
        for child in kids:
            self._item(batch, report_id, child, received, danger=danger,
                       violence=bool(set(concerns) & set(self.violence)), worker=worker)

    def _item(self, batch: _Batch, report_id: int, child: int, received: datetime, *,
              danger: bool, violence: bool, worker: Actor) -> None:
        rng, now = self.rng, self.now
        self.ids.item += 1
        item_id = self.ids.item
        age = now - received
        is_open = rng.random() < (0.9 if age < timedelta(days=2) else 0.5 if age < self.backlog else 0)
        if not is_open:
            status = Status.CLOSED.value
        elif age < timedelta(hours=20) and rng.random() < 0.7:
            status = Status.RECEIVED.value
        else:  # the skyddsbedömning is done within days, even in a backlog
            status = rng.choices(self.open_statuses, weights=self.open_weights)[0]
            if status == Status.RECEIVED and age > timedelta(hours=36):
                status = Status.PROTECTION_ASSESSED.value
        self.open_items += is_open
        protection, decision = protection_due(received), decision_due(received)
        extended = decision + timedelta(days=14) if rng.random() < 0.02 else None
        assessed = min(received + timedelta(hours=rng.uniform(0.5, 23)), now)
        decided = min(received + timedelta(days=rng.uniform(2, 14)), now)
        outcome = None
        if is_decided(status):
            outcome = rng.choices(self.outcomes, weights=self.outcome_weights)[0]
        ts = self.ts
        at = ts(received)
        batch.rows["items"].append(dict(
            id=item_id, report_id=report_id, child_id=child, status=status, received_at=at,
            protection_due=ts(protection), decision_due=ts(decision),
            decision_due_extended=extended and ts(extended),
            flag_violence=violence, flag_immediate_danger=danger, flag_data_quality=False,
            flag_repeat=False, outcome=outcome, created_at=at,
            updated_at=ts(decided) if outcome else at,
            closed_at=ts(decided) if status == Status.CLOSED else None, version=1,
            urgency_class=int(urgency_class(status=status, immediate_danger=danger)),
            next_due=ts(next_due(status=status, protection_due=protection, decision_due=decision,
                                 decision_due_extended=extended))))
        self.event(batch, at=received, user=worker, action="item_created", entity_type="queue_item",
                   entity_id=item_id, child_id=child)
        if status == Status.RECEIVED:
            return
        batch.rows["assessments"].append(dict(
            item_id=item_id, form_id="skyddsbedomning", form_version=1, form_sha256="0" * 64,
            status="finished", outcome="no_immediate_need", started_by_id=worker.user_id,
            started_at=ts(assessed), updated_at=ts(assessed), finished_by_id=worker.user_id,
            finished_at=ts(assessed), version=1))
        self.event(batch, at=assessed, user=worker, action="assessment_finished",
                   entity_type="queue_item", entity_id=item_id, child_id=child)
        if status in (Status.PROTECTION_ASSESSED, Status.INITIAL_ASSESSMENT):
            return
        senior = self.users["maria"]
        signed = is_decided(status)
        self.ids.decision += 1
        decision = dict(
            id=self.ids.decision, item_id=item_id,
            outcome=outcome or rng.choices(self.outcomes, weights=self.outcome_weights)[0],
            motivation="Syntetisk motivering.", notes="", urgent=False,
            status={Status.RETURNED: "returned", Status.DECISION_PROPOSED: "awaiting"}.get(
                Status(status), "signed"),
            proposed_by_id=worker.user_id, proposed_at=decided - timedelta(hours=3),
            signed_by_id=senior.user_id if signed else None, signed_at=decided if signed else None,
            signer_delegation="Delegation (syntetisk)" if signed else None,
            violence_acknowledged=violence, overdue_at_signing=False, version=1, content_hash=None)
        if signed:
            # the signature's content hash, as `verify_signed_decisions` recomputes it
            decision["content_hash"] = content_hash(SimpleNamespace(**_UNSET_DECISION, contacts=[], **decision))  # type: ignore[arg-type]
            self.event(batch, at=decided, user=senior, action="decision_signed",
                       entity_type="decision", entity_id=decision["id"], child_id=child,
                       details={"item_id": item_id, "outcome": decision["outcome"],
                                "content_hash": decision["content_hash"]})
        decision["proposed_at"] = ts(decision["proposed_at"])
        decision["signed_at"] = decision["signed_at"] and ts(decision["signed_at"])
        batch.rows["decisions"].append(decision)


def _chain(session: Session, events: list[dict[str, Any]], render: Callable[[datetime], Any]) -> None:
    """Hash the batch's events onto the chain and move its head (the anchor follows at
    commit, as for any transaction that appended)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    session.info.setdefault(audit_anchor.CHAIN_START, head.last_event_id)
    session.info[audit_anchor.APPENDED] = True
    previous = head.last_hash
    event_hash = audit.event_hash
    for event in events:
        event["prev_hash"] = previous
        event["hash"] = previous = event_hash(
            prev_hash=previous, occurred_at=event["occurred_at"], user_id=event["user_id"],
            actor=event["actor"], action=event["action"], entity_type=event["entity_type"],
            entity_id=event["entity_id"], child_id=event["child_id"], details=event["details"])
        event["occurred_at"] = render(event["occurred_at"])
        details = event["details"]
        event["details"] = _DEMO_DETAILS_JSON if details is _DEMO_DETAILS else json.dumps(details)
    if events:
        head.last_event_id, head.last_hash = events[-1]["id"], previous
        session.flush()


# JSON columns that hold the same value in every bulk row: written as SQL literals, so
# millions of rows are not serialised one by one.
_TABLES = ((Child, "children"), (Report, "reports"), (QueueItem, "items"),
           (Assessment, "assessments"), (Decision, "decisions"), (AuditEvent, "events"))
_DEMO_DETAILS: dict[str, Any] = {"demo": True}
_DEMO_DETAILS_JSON = json.dumps(_DEMO_DETAILS)
_CONSTANT_JSON = {
    "reports": {"data_quality_warnings": "[]"},
    "assessments": {"answers": "{}", "notes": "{}", "shown_questions": "[]", "rules_fired": "[]",
                    "checklist": "{}"},
    "decisions": {"contacts": "[]"},
}


def _write(session: Session, batch: _Batch) -> None:
    """Insert the batch with the driver's own `executemany`, in the session's transaction
    (the values are already in the driver's form; SQLAlchemy's per-value processing would
    take most of the time)."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for model, key in _TABLES:
            rows = batch.rows[key]
            if not rows:
                continue
            table = model.__table__
            columns = list(rows[0])
            constants = _CONSTANT_JSON.get(key, {})
            json_columns = {c.name for c in table.columns if c.type._type_affinity is JSON}
            marks = [("%s::json" if postgres and c in json_columns else "%s") if postgres else "?"
                     for c in columns]
            sql = (f"INSERT INTO {table.name} ({', '.join(columns + list(constants))}) VALUES "
                   f"({', '.join(marks + [repr(v) for v in constants.values()])})")
            for begin in range(0, len(rows), 10_000):
                cursor.executemany(sql, [tuple(row.values()) for row in rows[begin:begin + 10_000]])
    finally:
        cursor.close()


def _load_mode(database: Database, on: bool, cache_kib: int) -> int:
    """Switch SQLite's safety level and page cache of the pooled connection the load's
    transactions use (only possible outside a transaction); return the cache size it had."""
    with database.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        had = raw.execute("PRAGMA cache_size").fetchone()[0]  # type: ignore[union-attr]
        raw.execute(f"PRAGMA synchronous={'OFF' if on else 'FULL'}")  # type: ignore[union-attr]
        raw.execute(f"PRAGMA cache_size={cache_kib}")  # type: ignore[union-attr]
    return int(had)


def _drop_indexes(session: Session) -> list[str]:
    """Drop the secondary (non-unique) indexes of the filled tables for a load into a new
    database; return the statements that create them again."""
    names = [model.__table__.name for model, _key in _TABLES]
    if session.get_bind().dialect.name == "sqlite":
        found = session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(repr(n) for n in names)})")).all()
    else:
        found = session.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            f"AND i.tablename IN ({', '.join(repr(n) for n in names)}) AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")).all()
    kept = []
    for name, create in found:
        if "UNIQUE" in create.upper().split("INDEX")[0]:
            continue  # unique indexes stay: they check the rows as they come
        if name in SUMMARY_TRIGGER_INDEXES:
            continue
        session.execute(text(f'DROP INDEX "{name}"'))
        kept.append(create)
    return kept


def _advance_sequences(session: Session, tables: Iterable[str]) -> None:
    """PostgreSQL hands out ids from sequences; the bulk rows carried their own."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 1))"))


def fill_bulk(
    database: Database, *, reports: int, seed: int = 1, now: datetime | None = None,
    actor: Actor | None = None, progress: Progress | None = None, start: datetime | None = None,
) -> BulkResult:
    """Fill an empty database with `reports` synthetic reports received from `start` until
    `now` (by default over the years they take a large municipality, at least one), in
    batches of `BATCH_REPORTS`, each one transaction."""
    now = as_utc(now or utc_now())
    with database.transaction() as session:
        if actor is not None:
            actor.require(Action.MANAGE_USERS)
        if not database_is_empty(session):
            raise MottagningError("Databasen innehåller redan anmälningar; demodata läggs bara i en tom databas.")
        users = demo_users(session)
        audit.record(session, actor="demo", user_id=None, action="demo_bulk_started",
                     details={"reports": reports, "seed": seed}, now=now)
    start = as_utc(start or now - timedelta(days=max(365.0, reports / REPORTS_PER_DAY)))
    sqlite = database.engine.dialect.name == "sqlite"
    generator = _Generator(reports=reports, seed=seed, now=now, start=start, users=users, sqlite=sqlite)
    with database.transaction() as session:
        ids = generator.ids
        ids.event = session.execute(select(AuditHead.last_event_id)).scalar_one()
        for name, model in (("report", Report), ("child", Child), ("item", QueueItem),
                            ("decision", Decision)):
            setattr(ids, name, session.execute(select(model.id).order_by(model.id.desc()).limit(1))
                    .scalar_one_or_none() or 0)
    new = ids.event <= NEW_DATABASE_EVENTS and not ids.report
    batch_reports = BATCH_REPORTS_LARGE if new and reports >= 10 * BATCH_REPORTS_LARGE else BATCH_REPORTS
    indexes: list[str] = []
    cache_before = 0
    if new:
        with database.transaction() as session:
            indexes = _drop_indexes(session)
        if sqlite:
            cache_before = _load_mode(database, True, -LOAD_CACHE_KIB)
    try:
        done = 0
        while done < reports:
            batch = _Batch()
            for number in range(done, min(done + batch_reports, reports)):
                generator.report(batch, number)
            with database.transaction() as session:
                _chain(session, batch.rows["events"], generator.ts)
                _write(session, batch)
            done = min(done + batch_reports, reports)
            if progress is not None:
                progress(done, reports, "anmälningar")
    finally:
        if new and sqlite:
            _load_mode(database, False, cache_before)  # as every connection of the program has it
        with database.transaction() as session:
            for create in indexes:
                session.execute(text(create))
    with database.transaction() as session:
        _advance_sequences(session, ("reports", "children", "queue_items", "decisions",
                                     "assessments", "audit_events"))
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("ANALYZE"))
    if database.engine.dialect.name == "postgresql":
        # After a bulk load PostgreSQL's planner has no statistics and no page is marked
        # all-visible, so no index-only scan (the statistics' summary is read by them) until
        # autovacuum comes by; VACUUM runs outside a transaction.
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return BulkResult(reports, generator.ids.item, generator.open_items, generator.ids.event,
                      generator.heavy_child)
