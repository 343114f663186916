"""A small, fixed data set for the statistics, with every figure computed by hand.

Period: 1–30 November 2026 (Stockholm), judged at FIXED_NOW (24 November 2026 09:30 UTC).
Children: A (girl, 2015-03-12), B (boy, 2020-05-01), C (birth date only, 2024-01-10),
D (nothing known), E (girl, born 2019-11-24: her birthday is the day of her report),
F (boy, 2021-02-02, reported six times, once just outside the 12 months).

| report | received (UTC)     | channel | reporter     | concerns                   | children |
|--------|--------------------|---------|--------------|----------------------------|----------|
| R4     | 2026-10-20 10:00   | telefon | skola        | forsummelse                | A        |  (before the period)
| R6–R10 | 2025-11-30 22:00 … | telefon | forskola     | forsummelse                | F        |  (before the period)
| R1     | 2026-11-02 10:00   | telefon | skola        | forsummelse, skolfranvaro  | A, B, C  |  (1 report, 3 children)
| R11    | 2026-11-05 11:00   | epost   | forskola     | missbruk_vardnadshavare    | F        |
| R2     | 2026-11-08 23:30   | etjanst | polis        | vald_mot_barn              | A        |  (Monday 00:30 local: week 46)
| R3     | 2026-11-20 12:00   | telefon | privatperson | annat                      | D        |
| R5     | 2026-11-24 08:00   | brev    | skola        | bevittnat_vald, forsummelse| E        |

What happened to each item of the period:
- A1: skyddsbedömning after 5 h; *inleda* signed after exactly 7 days; återkoppling given in time.
- B1: skyddsbedömning after 30 h (late); *inte inleda* signed 18 Nov 12:00 (16.08 days, late, no
  extension), corrected on 20 Nov to *inleda*; the correction's feedback task is not counted.
- C1: skyddsbedömning after 2 h; extension signed to 30 Nov; *tillförs* signed after 18 days;
  återkoppling due 22 Nov, not given (overdue).
- A2: skyddsbedömning after 10 h; *inleda* signed after 3 days; återkoppling given after its due date.
- D3: no skyddsbedömning, its 24 h have passed (overdue); decision not yet due.
- E5: nothing yet, nothing due.
- F11: skyddsbedömning after exactly 24 h (in time); no decision, the 14 days have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput, NewReport, register_report
from mottagning.models import Assessment, DeadlineExtension, Decision, FeedbackTask, QueueItem
from mottagning.rules.deadlines import end_of_local_day

A = ChildInput(name="Ella Andersson", personnummer="20150312-2382")
B = ChildInput(name="Olle Andersson", personnummer="20200501-9811")
C = ChildInput(name="Lisa Andersson", birth_date=date(2024, 1, 10))
D = ChildInput(name="Okänt barn")
E = ChildInput(name="Saga Berg", personnummer="20191124-9829")
F = ChildInput(name="Nils Holm", personnummer="20210202-9838")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass(frozen=True)
class Dataset:
    items: dict[str, int]
    reports: dict[str, int]


def _report(received: datetime, channel: str, category: str, concerns: tuple[str, ...],
            children: tuple[ChildInput, ...], *, source: str | None = None,
            seq: int | None = None) -> NewReport:
    return NewReport(
        channel=channel, received_at=received, reporter_category=category,
        reporter_name="Karin Ek", reporter_organisation="Kvarnbackens skola",
        reporter_wants_feedback=True, concern_codes=concerns,
        description="Fritext som aldrig får synas i statistiken.", children=children,
        source=source, submission_id=None if source is None else f"ETJ-{seq}", sequence=seq,
    )


def build(database: Database, worker: Actor, senior: Actor) -> Dataset:
    reports: dict[str, int] = {}
    items: dict[str, int] = {}
    plan = [
        ("R4", _report(utc(2026, 10, 20, 10), "telefon", "skola", ("forsummelse",), (A,)), ["A4"]),
        ("R6", _report(utc(2025, 11, 30, 22), "telefon", "forskola", ("forsummelse",), (F,)), ["F6"]),
        ("R7", _report(utc(2026, 1, 15, 10), "telefon", "forskola", ("forsummelse",), (F,)), ["F7"]),
        ("R8", _report(utc(2026, 3, 15, 10), "telefon", "forskola", ("forsummelse",), (F,)), ["F8"]),
        ("R9", _report(utc(2026, 6, 15, 10), "telefon", "forskola", ("forsummelse",), (F,)), ["F9"]),
        ("R10", _report(utc(2026, 9, 15, 10), "telefon", "forskola", ("forsummelse",), (F,)), ["F10"]),
        ("R1", _report(utc(2026, 11, 2, 10), "telefon", "skola", ("forsummelse", "skolfranvaro"),
                       (A, B, C)), ["A1", "B1", "C1"]),
        ("R11", _report(utc(2026, 11, 5, 11), "epost", "forskola", ("missbruk_vardnadshavare",), (F,)),
         ["F11"]),
        ("R2", _report(utc(2026, 11, 8, 23, 30), "etjanst", "polis", ("vald_mot_barn",), (A,),
                       source="etj", seq=1), ["A2"]),
        ("R3", _report(utc(2026, 11, 20, 12), "telefon", "privatperson", ("annat",), (D,)), ["D3"]),
        ("R5", _report(utc(2026, 11, 24, 8), "brev", "skola", ("bevittnat_vald", "forsummelse"), (E,)),
         ["E5"]),
    ]
    with database.transaction() as session:
        for name, report, item_names in plan:
            result = register_report(session, worker, report, now=report.received_at)
            reports[name] = result.report_id
            items.update(zip(item_names, result.item_ids, strict=True))

        def received(item: str) -> datetime:
            row = session.get(QueueItem, items[item])
            assert row is not None
            return row.received_at

        def assessed(item: str, hours: float) -> None:
            at = received(item) + timedelta(hours=hours)
            session.add(Assessment(
                item_id=items[item], form_id="skyddsbedomning", form_version=1,
                form_sha256="0" * 64, status="finished", answers={}, notes={},
                shown_questions=[], rules_fired=[], outcome="no_immediate_need", checklist={},
                started_by_id=worker.user_id, started_at=at, updated_at=at,
                finished_by_id=worker.user_id, finished_at=at,
            ))

        def decided(item: str, outcome: str, signed_at: datetime, corrects: int | None = None,
                    overrun_reason: str | None = None) -> int:
            decision = Decision(
                overrun_reason=overrun_reason,
                item_id=items[item], outcome=outcome, motivation="Motivering.", status="signed",
                proposed_by_id=worker.user_id, proposed_at=signed_at - timedelta(hours=2),
                signed_by_id=senior.user_id, signed_at=signed_at, contacts=[],
                corrects_decision_id=corrects,
            )
            session.add(decision)
            session.flush()
            row = session.get(QueueItem, items[item])
            assert row is not None
            row.status, row.outcome = "decision_signed", outcome
            return decision.id

        def feedback(item: str, decision_id: int, due: datetime, done_at: datetime | None) -> None:
            session.add(FeedbackTask(item_id=items[item], decision_id=decision_id, content="opened",
                                     created_at=due - timedelta(days=14), due_at=due,
                                     done=done_at is not None, done_at=done_at,
                                     done_by_id=worker.user_id if done_at else None))

        assessed("A1", 5)
        a1 = decided("A1", "inleda_utredning", utc(2026, 11, 9, 10))
        feedback("A1", a1, end_of_local_day(date(2026, 11, 23)), utc(2026, 11, 10, 9))

        assessed("B1", 30)
        b1 = decided("B1", "inte_inleda_utredning", utc(2026, 11, 18, 12),
                     overrun_reason="Vårdnadshavarna kunde inte nås före fristen.")
        feedback("B1", b1, end_of_local_day(date(2026, 12, 2)), None)
        b1c = decided("B1", "inleda_utredning", utc(2026, 11, 20, 9), corrects=b1)
        feedback("B1", b1c, end_of_local_day(date(2026, 11, 21)), None)

        assessed("C1", 2)
        c1_item = session.get(QueueItem, items["C1"])
        assert c1_item is not None
        new_due = end_of_local_day(date(2026, 11, 30))
        c1_item.decision_due_extended = new_due
        session.add(DeadlineExtension(
            item_id=items["C1"], reason="Barnet vårdas på sjukhus.", original_due=c1_item.decision_due,
            new_due=new_due, status="signed", requested_by_id=worker.user_id,
            requested_at=utc(2026, 11, 12, 9), signed_by_id=senior.user_id,
            signed_at=utc(2026, 11, 12, 10)))
        c1 = decided("C1", "tillfors_pagaende_utredning", utc(2026, 11, 20, 10))
        feedback("C1", c1, end_of_local_day(date(2026, 11, 22)), None)

        assessed("A2", 10)
        a2 = decided("A2", "inleda_utredning", utc(2026, 11, 11, 23, 30))
        feedback("A2", a2, end_of_local_day(date(2026, 11, 20)), utc(2026, 11, 22, 10))

        assessed("F11", 24)
        session.flush()
    return Dataset(items, reports)
