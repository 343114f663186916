"""Gallring (weeding): removing case records whose retention period has run out.

The periods are settings per kind of record (`gallring.rules`), never constants: a report
that led to no investigation is kept a number of years after the last entry about the
child, records of an investigation of the child's need for protection until a number of
years after the child's birth. Children born on certain days of the month are exempt
(kept for research), and a municipality designated to keep everything switches weeding off.

Weeding is a reviewed batch: `plan_weeding` is the dry run; `weed_records` carries out the
same plan and leaves a `WeedingProtocol` (kinds, counts, record ids, rules, who, when: no
personal data) and one audit event. Only closed items are ever weeded. A child with
neither personnummer nor birth date is never weeded while birth days are exempt (the
exemption cannot be checked): the plan lists such records under `held_back` for a person.

The audit chain stays verifiable: events are never deleted or redacted. They name records
by id only; personal data never goes into an event's details (tests scan for it), so there
is nothing to remove from the log when the records go.

Tables of other areas that hang on a case (assessments, decisions, letters, …) are found
by following foreign keys to the rows being weeded, so a new table is weeded with its case
without being registered here. Drafts about a case use the keys `item:<id>`/`report:<id>`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, not_, or_, select, update
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.audit.reads import READ_ACTIONS, READ_SUFFIXES
from mottagning.context import Actor, Changes
from mottagning.errors import ValidationError
from mottagning.models import AuditEvent, Base, Child, ChildMerge, Draft, Guardian, QueueItem
from mottagning.models.records import WeedingProtocol
from mottagning.rules import personnummer as pnr
from mottagning.rules.permissions import Action
from mottagning.rules.status import Status
from mottagning.settings import declaration, put_setting, setting
from mottagning.timeutil import as_utc, to_local, utc_now

RULES_SETTING = "gallring.rules"
REPORT_WITHOUT_INVESTIGATION = "report_without_investigation"
PROTECTION_INVESTIGATION = "protection_investigation"
KIND_LABELS_SV = {
    REPORT_WITHOUT_INVESTIGATION: "Anmälan som inte ledde till utredning",
    PROTECTION_INVESTIGATION: "Utredning av barns behov av skydd",
}
LAST_ENTRY, BIRTH = "last_entry", "birth"
_CASE_TABLES = ("queue_items", "reports", "children", "guardians")
_CHUNK = 500


def weeding_rules(session: Session) -> dict[str, Any]:
    """The rules in force: the stored setting over the defaults."""
    return setting(session, RULES_SETTING)


def _validate(rules: dict[str, Any]) -> list[str]:
    problems = []
    for kind, rule in rules["kinds"].items():
        years = rule.get("years")
        if not isinstance(years, int) or isinstance(years, bool) or not 0 < years <= 150:
            problems.append(f"{KIND_LABELS_SV.get(kind, kind)}: antal år måste vara ett heltal 1–150.")
        if rule.get("counted_from") not in (LAST_ENTRY, BIRTH):
            problems.append(f"{KIND_LABELS_SV.get(kind, kind)}: räknas från ”last_entry” eller ”birth”.")
    days = rules["exempt_birth_days"]
    if not isinstance(days, list) or not all(isinstance(d, int) and 1 <= d <= 31 for d in days):
        problems.append("Undantagna födelsedagar måste vara dagar 1–31.")
    if not isinstance(rules["keep_everything"], bool):
        problems.append("”Bevara allt” måste vara sant eller falskt.")
    if not isinstance(rules["investigation_outcomes"], list):
        problems.append("Beslutsutfall som räknas som utredning måste vara en lista.")
    return problems


def put_weeding_rules(session: Session, actor: Actor, changes: dict[str, Any], *,
                      now: datetime | None = None) -> dict[str, Any]:
    """Change the weeding rules (system administrators); returns the rules in force."""
    actor.require(Action.MANAGE_SETTINGS)
    current = weeding_rules(session)
    kinds = {k: {**v, **changes.get("kinds", {}).get(k, {})} for k, v in current["kinds"].items()}
    unknown = set(changes) - set(declaration(RULES_SETTING).default) | set(changes.get("kinds", {})) - set(kinds)
    if unknown:
        raise ValidationError([f"Okänd gallringsregel: {', '.join(sorted(unknown))}."])
    rules = {**current, **{k: v for k, v in changes.items() if k != "kinds"}, "kinds": kinds}
    problems = _validate(rules)
    if problems:
        raise ValidationError(problems)
    put_setting(session, RULES_SETTING, rules)
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="setting_changed",
                 details={"key": RULES_SETTING, "value": rules}, now=now)
    return rules


@dataclass(frozen=True)
class WeedingPlan:
    """What a run removes. `summary` and `rows_deleted` are exactly what the protocol keeps."""

    rules: dict[str, Any]
    summary: dict[str, Any]
    rows_deleted: dict[str, int]
    doomed: dict[str, frozenset[int]]
    drafts: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.doomed.get("queue_items")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _birth(child: Child) -> date | None:
    if child.birth_date is not None:
        return child.birth_date
    parsed = pnr.parse(child.personnummer) if child.personnummer else None
    return parsed.birth_date if parsed else None


def _last_entries(session: Session) -> dict[int, datetime]:
    """Per child, the newest change recorded about it (reads are not entries)."""
    read = or_(AuditEvent.action.in_(READ_ACTIONS),
               *(AuditEvent.action.endswith(suffix, autoescape=True) for suffix in READ_SUFFIXES))
    rows = session.execute(
        select(AuditEvent.child_id, func.max(AuditEvent.occurred_at))
        .where(AuditEvent.child_id.is_not(None), not_(read)).group_by(AuditEvent.child_id)
    ).all()
    return {child_id: as_utc(moment) for child_id, moment in rows}


def _chunks(ids: set[int] | frozenset[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _due_items(
    session: Session, rules: dict[str, Any], now: datetime,
) -> tuple[dict[str, set[int]], dict[str, int], dict[int, set[int]]]:
    """The closed items whose period has run out, per kind, how many were kept and why,
    and the items held back for a person to decide (child id → item ids)."""
    due: dict[str, set[int]] = {kind: set() for kind in rules["kinds"]}
    kept: dict[str, int] = defaultdict(int)
    held: dict[int, set[int]] = defaultdict(set)
    if rules["keep_everything"]:
        return due, kept, held
    items = session.execute(
        select(QueueItem, Child).join(Child, QueueItem.child_id == Child.id)
    ).all()
    child_last: dict[int, datetime] = defaultdict(lambda: datetime.min.replace(tzinfo=now.tzinfo))
    for item, _child in items:
        moments = [item.received_at, item.updated_at, item.closed_at]
        child_last[item.child_id] = max([child_last[item.child_id], *(as_utc(m) for m in moments if m)])
    for child_id, moment in _last_entries(session).items():
        if child_id in child_last:
            child_last[child_id] = max(child_last[child_id], moment)
    exempt_days = set(rules["exempt_birth_days"])
    investigation = set(rules["investigation_outcomes"])
    today = to_local(now).date()
    for item, child in items:
        if item.status != Status.CLOSED:
            continue
        kind = PROTECTION_INVESTIGATION if item.outcome in investigation else REPORT_WITHOUT_INVESTIGATION
        rule = rules["kinds"][kind]
        birth = _birth(child)
        if birth is not None and birth.day in exempt_days:
            kept["exempt_birth_day"] += 1
            continue
        if rule["counted_from"] == BIRTH:
            if birth is None:
                kept["unknown_birth_date"] += 1
                continue
            expires = _add_years(birth, rule["years"])
        else:
            expires = _add_years(to_local(child_last[item.child_id]).date(), rule["years"])
        if today < expires:
            continue
        if birth is None and exempt_days:
            # Without a birth date the research exemption cannot be checked, and weeding
            # cannot be undone: a person decides (e.g. after finding the birth date).
            kept["unknown_birth_date"] += 1
            held[child.id].add(item.id)
            continue
        due[kind].add(item.id)
    return due, dict(kept), held


def _dependents(session: Session, doomed: dict[str, set[int]]) -> None:
    """Add every row that refers (through foreign keys, transitively) to a doomed row."""
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name in _CASE_TABLES or len(table.primary_key.columns) != 1:
                continue
            key = next(iter(table.primary_key.columns))
            for fk in table.foreign_keys:
                targets = doomed.get(fk.column.table.name)
                if not targets or not fk.column.primary_key:
                    continue
                found: set[int] = set()
                for chunk in _chunks(targets):
                    found.update(session.execute(select(key).where(fk.parent.in_(chunk))).scalars())
                new = found - doomed.setdefault(table.name, set())
                if new:
                    doomed[table.name] |= new
                    changed = True


def plan_weeding(session: Session, actor: Actor, *, now: datetime | None = None) -> WeedingPlan:
    """The dry run: what a weeding run now would remove, with counts per kind and ids."""
    actor.require(Action.WEED_RECORDS)
    now = now or utc_now()
    rules = weeding_rules(session)
    due, kept, held = _due_items(session, rules, now)
    item_ids = set().union(*due.values())
    rows = session.execute(select(QueueItem.id, QueueItem.report_id, QueueItem.child_id)).all()
    report_ids = {r.report_id for r in rows if r.id in item_ids} - {r.report_id for r in rows if r.id not in item_ids}
    child_ids = {r.child_id for r in rows if r.id in item_ids} - {r.child_id for r in rows if r.id not in item_ids}
    # A record merged into a weeded child (services.child_links) has no items of its own
    # left and goes with it.
    with_items = {r.child_id for r in rows}
    for chunk in _chunks(set(child_ids)):
        child_ids |= set(session.execute(
            select(ChildMerge.merged_child_id).where(ChildMerge.kept_child_id.in_(chunk),
                                                     ChildMerge.undone_at.is_(None))
        ).scalars()) - with_items
    guardian_ids: set[int] = set()
    for chunk in _chunks(child_ids):
        guardian_ids.update(session.execute(select(Guardian.id).where(Guardian.child_id.in_(chunk))).scalars())
    doomed = {"queue_items": item_ids, "reports": report_ids, "children": child_ids, "guardians": guardian_ids}
    _dependents(session, doomed)
    keys = [f"item:{i}" for i in item_ids] + [f"report:{r}" for r in report_ids]
    drafts: set[int] = set()
    for i in range(0, len(keys), _CHUNK):
        drafts.update(session.execute(select(Draft.id).where(Draft.key.in_(keys[i:i + _CHUNK]))).scalars())
    rows_deleted = {name: len(ids) for name, ids in sorted(doomed.items()) if ids}
    if drafts:
        rows_deleted["drafts"] = len(drafts)
    by_report = {r.id: r.report_id for r in rows}
    summary = {
        "kinds": {
            kind: {"label": KIND_LABELS_SV[kind], "items": len(ids), "item_ids": sorted(ids),
                   "report_ids": sorted({by_report[i] for i in ids} & report_ids)}
            for kind, ids in due.items()
        },
        "reports": len(report_ids),
        "children": len(child_ids),
        "child_ids": sorted(child_ids),
        "kept": kept,
        "held_back": [{"child_id": child_id, "item_ids": sorted(items),
                       "reason": "unknown_birth_date"}
                      for child_id, items in sorted(held.items())],
        "keep_everything": rules["keep_everything"],
    }
    return WeedingPlan(rules, summary, rows_deleted,
                       {k: frozenset(v) for k, v in doomed.items()}, frozenset(drafts))


@dataclass(frozen=True)
class WeedingResult:
    protocol_id: int
    summary: dict[str, Any]
    rows_deleted: dict[str, int]
    changes: Changes


def weed_records(session: Session, actor: Actor, *, now: datetime | None = None) -> WeedingResult:
    """Carry out the weeding plan of this moment and write its protocol (audited)."""
    actor.require(Action.WEED_RECORDS)
    now = now or utc_now()
    plan = plan_weeding(session, actor, now=now)
    # A guardian named in a weeded report stays with a child whose other records remain.
    for chunk in _chunks(plan.doomed.get("reports", frozenset())):
        session.execute(update(Guardian).where(Guardian.report_id.in_(chunk)).values(report_id=None))
    for chunk in _chunks(plan.drafts):
        session.execute(delete(Draft).where(Draft.id.in_(chunk)))
    for table in reversed(Base.metadata.sorted_tables):
        ids = plan.doomed.get(table.name)
        if not ids:
            continue
        key = next(iter(table.primary_key.columns))
        for chunk in _chunks(ids):
            session.execute(delete(table).where(key.in_(chunk)))
    session.expire_all()
    protocol = WeedingProtocol(run_at=now, run_by_id=actor.user_id, run_by=actor.username,
                               rules=plan.rules, summary=plan.summary, rows_deleted=plan.rows_deleted)
    session.add(protocol)
    session.flush()
    event = audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="records_weeded",
        entity_type="weeding_protocol", entity_id=protocol.id,
        details={"kinds": {k: v["items"] for k, v in plan.summary["kinds"].items()},
                 "reports": plan.summary["reports"], "children": plan.summary["children"]},
        now=now,
    )
    protocol.audit_event_id = event.id
    session.flush()
    return WeedingResult(protocol.id, plan.summary, plan.rows_deleted,
                         Changes(queue=True, item_ids=tuple(sorted(plan.doomed["queue_items"]))))


@dataclass(frozen=True)
class ProtocolInfo:
    id: int
    run_at: datetime
    run_by: str
    summary: dict[str, Any]
    rows_deleted: dict[str, int]


def list_protocols(session: Session, actor: Actor) -> tuple[ProtocolInfo, ...]:
    """Every weeding protocol, newest first."""
    actor.require(Action.WEED_RECORDS)
    rows = session.execute(select(WeedingProtocol).order_by(WeedingProtocol.id.desc())).scalars()
    return tuple(ProtocolInfo(p.id, p.run_at, p.run_by, p.summary, p.rows_deleted) for p in rows)
