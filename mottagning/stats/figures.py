"""The figures of a period, computed in SQL: one function for the CLI, the dashboard and
the exports (`compute_figures`). The exact rules are in docs/statistics.md; the Swedish
definitions shown beside each figure are in `mottagning.stats.definitions`.

The unit of counting is stated per figure: a *report* (one orosanmälan, however many
children it concerns) or an *item* (one child in one report, which carries its own
deadlines and decision). The cohort is every item whose report was received in the period;
states (done, decided, overdue) are judged at `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.models import Decision, FeedbackTask, Report, StatsItem, StatsReportConcern
from mottagning.rules.outcomes import Outcome
from mottagning.rules.permissions import Action
from mottagning.stats import sql
from mottagning.stats.follow_up import meetings_summary
from mottagning.stats.period import Period, weeks
from mottagning.timeutil import as_utc

SIGNED = "signed"
FINISHED = "finished"

# Age at receipt, in whole years: (key, lowest age, highest age).
AGE_BANDS = (("0-3", 0, 3), ("4-6", 4, 6), ("7-12", 7, 12), ("13-15", 13, 15), ("16-17", 16, 17),
             ("18+", 18, 200))
UNKNOWN = "unknown"
# The legal sex from the personnummer (stats_items.sex).
SEXES = ("girl", "boy", UNKNOWN)
INVESTIGATED = Outcome.INLEDA_UTREDNING.value

# Age of an undecided item at `now`: (key, from days, to days).
OPEN_AGE_BANDS = (("under_1_day", 0, 1), ("1_to_7_days", 1, 7), ("7_to_14_days", 7, 14),
                  ("over_14_days", 14, None))


@dataclass(frozen=True)
class Figures:
    """Every figure of one period. `values` is the JSON of `mottagning stats --json`."""

    period: Period
    computed_at: datetime
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period.as_json(),
                "computed_at": as_utc(self.computed_at).isoformat(timespec="seconds"),
                **self.values}


def _share(part: int, whole: int) -> float | None:
    """A fraction 0–1 with four decimals; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def facts_of(session: Session, period: Period) -> Any:
    """One row per item of the period's reports, with what the figures need about it: the
    items' summary rows (`StatsItem`, kept by the database's triggers in the same transaction
    as every change), read in their covering period index without a join."""
    s = StatsItem
    return (
        select(
            s.item_id, s.report_id, s.first_of_report, s.first_violent_of_report, s.child_id, s.received_at, s.flag_violence,
            s.protection_due, s.decision_due, s.decision_due_extended.label("extended_due"),
            func.coalesce(s.decision_due_extended, s.decision_due).label("applicable_due"),
            s.assessed_at,
            # the first signature; a correction signed later keeps it, its outcome is the item's
            s.decided_at, s.outcome, s.age, s.sex, s.days_to_decision.label("days"),
        )
        .where(s.received_at >= period.start, s.received_at < period.end)
        .cte("facts")
    )


def days_to_decision_of(_session: Session, facts: Any) -> Any:
    """Elapsed days from receipt to the first signature (NULL while undecided)."""
    return facts.c.days


def _count_if(condition: Any) -> Any:
    """The rows where `condition` holds (an aggregate FILTER: cheaper per row than a sum of
    CASE, which counts in every figure read over a year's items)."""
    return func.count().filter(condition)


def _headline(session: Session, facts: Any, now: datetime, *, children: int,
              investigated: int, violence_investigated: int) -> dict[str, Any]:
    """The counts of the period's items: one pass over their summary rows, every count its
    own FILTER, so the pass needs no sort; `children` comes from the children's own pass
    (`_children`), the decisions to investigate from the breakdowns (`_breakdowns`)."""
    f = facts.c
    protection_due = or_(f.assessed_at.is_not(None), f.protection_due < now)
    decision_due = or_(f.decided_at.is_not(None), f.decision_due < now)
    within_14 = f.decided_at <= f.decision_due
    extended_ok = and_(
        f.extended_due.is_not(None),
        or_(f.decided_at.is_(None), f.decided_at > f.decision_due),
        or_(f.decided_at <= f.extended_due, and_(f.decided_at.is_(None), f.extended_due >= now)),
    )
    row = session.execute(select(
        _count_if(f.first_of_report).label("reports_received"),
        func.count().label("queue_items"),
        _count_if(protection_due).label("protection_due"),
        _count_if(f.assessed_at <= f.protection_due).label("protection_within"),
        _count_if(and_(f.assessed_at.is_(None), f.protection_due < now)).label("protection_overdue"),
        func.count(f.decided_at).label("decided"),
        _count_if(decision_due).label("decisions_due"),
        _count_if(within_14).label("within_14"),
        _count_if(and_(decision_due, extended_ok)).label("with_extension"),
        func.count(f.extended_due).label("extensions"),
        _count_if(and_(f.decided_at.is_(None), f.applicable_due < now)).label("decision_overdue"),
        _count_if(f.flag_violence).label("violence_items"),
        _count_if(f.first_violent_of_report).label("violence_reports"),
        _count_if(and_(f.flag_violence, f.decided_at.is_not(None))).label("violence_decided"),
    ).select_from(facts)).one()._mapping
    decisions_due = int(row["decisions_due"])
    within_14_n, extension_n = int(row["within_14"]), int(row["with_extension"])
    late_n = decisions_due - within_14_n - extension_n
    return {
        "reports_received": int(row["reports_received"]),
        "children": children,
        "queue_items": int(row["queue_items"]),
        "protection_assessments_due": int(row["protection_due"]),
        "protection_within_24h_count": int(row["protection_within"]),
        "protection_within_24h": _share(int(row["protection_within"]), int(row["protection_due"])),
        "protection_overdue": int(row["protection_overdue"]),
        "decisions": int(row["decided"]),
        "investigated": investigated,
        "share_investigated": _share(investigated, int(row["decided"])),
        "decisions_due": decisions_due,
        "decisions_within_14_days_count": within_14_n,
        "decisions_within_14_days": _share(within_14_n, decisions_due),
        "decisions_with_extension_count": extension_n,
        "decisions_with_extension": _share(extension_n, decisions_due),
        "decisions_late_count": late_n,
        "decisions_late": _share(late_n, decisions_due),
        "extensions_signed": int(row["extensions"]),
        "decisions_overdue": int(row["decision_overdue"]),
        "violence_flagged_items": int(row["violence_items"]),
        "violence_flagged_reports": int(row["violence_reports"]),
        "violence_flagged_decisions": int(row["violence_decided"]),
        "violence_share_investigated": _share(violence_investigated,
                                              int(row["violence_decided"])),
    }


def _breakdowns(session: Session, period: Period) -> dict[str, dict[str, int]]:
    """Decisions per outcome (all of them and the violence-flagged ones) and items (children
    per report) by age band at receipt and by legal sex from the personnummer: every value of
    the fixed lists is the count of one range of a summary index (ix_stats_items_outcome,
    ix_stats_items_age, ix_stats_items_sex), all in one statement: the period's rows are read
    once per table and never tested value by value. The unknowns are the rest."""
    s = StatsItem
    in_period = and_(s.received_at >= period.start, s.received_at < period.end)

    def rows(*conditions: Any) -> Any:
        return select(func.count()).where(*conditions, in_period).scalar_subquery()

    outcomes = [o.value for o in Outcome]
    by_outcome = [(o, violent, s.outcome == o, s.flag_violence == violent)
                  for o in outcomes for violent in (False, True)]
    # a band of a few years is a range of single ages (exact ranges of the index), 18+ one range
    ages = [(key, [s.age == age for age in range(low, high + 1)] if high - low < 10
             else [s.age.between(low, high)]) for key, low, high in AGE_BANDS]
    sexes = [sex for sex in SEXES if sex != UNKNOWN]
    counts = iter(session.execute(select(
        rows(),
        *(rows(is_outcome, is_violent) for _o, _v, is_outcome, is_violent in by_outcome),
        *(rows(condition) for _key, conditions in ages for condition in conditions),
        *(rows(s.sex == sex) for sex in sexes),
    )).one())
    items = int(next(counts))
    every, violent = dict.fromkeys(outcomes, 0), dict.fromkeys(outcomes, 0)
    for outcome, is_violent, _is_outcome, _is_violent in by_outcome:
        n = int(next(counts))
        every[outcome] += n
        violent[outcome] += n if is_violent else 0
    age_bands = {key: sum(int(next(counts)) for _ in conditions) for key, conditions in ages}
    age_bands[UNKNOWN] = items - sum(age_bands.values())
    by_sex = {sex: int(next(counts)) for sex in sexes}
    by_sex[UNKNOWN] = items - sum(by_sex.values())
    return {"outcomes": every, "violence_flagged_outcomes": violent,
            "child_reports_by_age_band": age_bands, "child_reports_by_sex": by_sex}


def _days_to_decision(session: Session, period: Period, decided: int) -> dict[str, float | None]:
    """Median (mean of the two middle values when even) and 90th percentile (nearest rank)
    of the `decided` items: the values at those ranks, by ORDER BY … LIMIT … OFFSET in the
    summary's index on the days (ix_stats_items_days): read in order up to the rank, never
    sorted (a sort of the decided items cost more than every other figure together)."""
    if not decided:
        return {"median_days_to_decision": None, "p90_days_to_decision": None}
    days = StatsItem.days_to_decision

    def ranked(first_rank: int, count: int, name: str) -> Any:
        return (select(days.label("days"))
                .where(days.is_not(None), StatsItem.received_at >= period.start,
                       StatsItem.received_at < period.end)
                .order_by(days).limit(count).offset(first_rank - 1).subquery(name))

    middle = ranked((decided + 1) // 2, 2 - decided % 2, "middle_days")
    p90 = ranked((decided * 9 + 9) // 10, 1, "p90_days")
    median_value, p90_value = session.execute(
        select(select(func.avg(middle.c.days)).scalar_subquery(),
               select(p90.c.days).scalar_subquery())).one()
    return {"median_days_to_decision": round(float(median_value), 1),
            "p90_days_to_decision": round(float(p90_value), 1)}


def _grouped(session: Session, statement: Any) -> dict[str, int]:
    return {str(key): int(n) for key, n in session.execute(statement)}


def _values_of(column: Any, name: str) -> Any:
    """The distinct values of an indexed column, found by seeking the next one (a recursive
    CTE: a handful of index seeks instead of sorting or grouping every row)."""
    first = select(func.min(column).label("value")).cte(name, recursive=True)
    following = (select(select(func.min(column)).where(column > first.c.value).scalar_subquery())
                 .where(first.c.value.is_not(None)))
    return first.union_all(following)


def _per_week(session: Session, period: Period) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Reports per week by channel and by reporter category: for each value (found by seeking,
    `_values_of`) and week, the count of one range of the reports' index on that value and the
    receipt (ix_reports_stats_channel, ix_reports_stats_reporter_category). The period's
    reports are read once per dimension and never sorted; a value without reports in a week
    is left out, as before."""
    week = sql.buckets("weeks", weeks(period))

    def counted(column: Any, key: str) -> list[dict[str, Any]]:
        values = _values_of(column, f"{key}_values")
        reports = (select(func.count()).where(column == values.c.value,
                                              Report.received_at >= week.c.bucket_start,
                                              Report.received_at < week.c.bucket_end)
                   .scalar_subquery())
        rows = session.execute(
            select(week.c.label, values.c.value, reports)
            .select_from(week).join(values, literal(True)).where(values.c.value.is_not(None))
        ).all()
        ordered = sorted((label, value, int(n)) for label, value, n in rows if n)
        return [{"week": label, key: value, "reports": n} for label, value, n in ordered]

    return counted(Report.channel, "channel"), counted(Report.reporter_category, "reporter_category")


def _by_concern(session: Session, period: Period) -> dict[str, int]:
    """Reports per concern category: the reports' summary rows (one per report and category,
    kept by triggers) counted per category in one range of their index each, the categories
    found by seeking (`_values_of`), instead of unpacking and grouping every report's list."""
    c = StatsReportConcern
    codes = _values_of(c.concern_code, "concern_codes")
    reports = (select(func.count()).where(c.concern_code == codes.c.value,
                                          c.received_at >= period.start, c.received_at < period.end)
               .scalar_subquery())
    counts = _grouped(session, select(codes.c.value, reports).where(codes.c.value.is_not(None))
                      .order_by(codes.c.value))
    return {code: n for code, n in counts.items() if n}


def age_band(age: Any) -> Any:
    """The band of an age in whole years (NULL: unknown)."""
    return case(*((and_(age >= low, age <= high), literal(key)) for key, low, high in AGE_BANDS),
                else_=literal(UNKNOWN))


def _children(session: Session, period: Period) -> dict[str, int]:
    """Children of the period, and those of them with 2+ and 5+ reports in the 12 months that
    end with it: one grouping of the summary rows by child, read in the child index's order
    (ix_stats_items_child) rather than sorted."""
    s = StatsItem
    lowest = min(period.start, period.repeat_window_start)

    def rows_from(start: datetime) -> Any:
        # A child has one item per report (unique report_id, child_id): items count reports.
        # For a year both bounds are the lowest and every row counts: no test per row.
        return func.count() if start == lowest else _count_if(s.received_at >= start)

    per_child = (
        select(rows_from(period.repeat_window_start).label("reports"),
               rows_from(period.start).label("in_period"))
        .where(s.received_at >= lowest, s.received_at < period.end)
        .group_by(s.child_id)
        .subquery("per_child")
    )
    in_period = per_child.c.in_period > 0
    row = session.execute(select(_count_if(in_period),
                                 _count_if(and_(in_period, per_child.c.reports >= 2)),
                                 _count_if(and_(in_period, per_child.c.reports >= 5)))).one()
    return {"children": int(row[0]), "children_with_2_plus_reports_12m": int(row[1]),
            "children_with_5_plus_reports_12m": int(row[2])}


def _open_items_by_age(session: Session, now: datetime) -> dict[str, int]:
    """Every undecided item at `now` (whatever period), by time since receipt."""
    band = case(*(
        (StatsItem.received_at > now - timedelta(days=high), literal(key))
        for key, _, high in OPEN_AGE_BANDS if high is not None
    ), else_=literal(OPEN_AGE_BANDS[-1][0]))
    # without a signed decision: no first signature in the summary
    counts = _grouped(session, select(band, func.count()).select_from(StatsItem)
                      .where(StatsItem.decided_at.is_(None)).group_by(band))
    return {key: counts.get(key, 0) for key, _, _ in OPEN_AGE_BANDS}


def _feedback(session: Session, facts: Any, now: datetime) -> dict[str, Any]:
    """Återkoppling owed after the first signed decision (a correction's task is not counted
    again)."""
    original = select(Decision.id).where(Decision.corrects_decision_id.is_(None))
    tasks = (select(FeedbackTask).join(facts, facts.c.item_id == FeedbackTask.item_id)
             .where(FeedbackTask.decision_id.in_(original)).subquery("tasks"))
    judged = or_(tasks.c.done, tasks.c.due_at < now)
    row = session.execute(select(
        func.count(),
        _count_if(judged),
        _count_if(and_(tasks.c.done, tasks.c.done_at <= tasks.c.due_at)),
        _count_if(and_(~tasks.c.done, tasks.c.due_at < now)),
    ).select_from(tasks)).one()
    owed, due, within, overdue = (int(v) for v in row)
    return {"feedback_owed": owed, "feedback_due": due, "feedback_within_limit_count": within,
            "feedback_within_limit": _share(within, due), "feedback_overdue": overdue}


def compute_figures(
    session: Session, actor: Actor, period: Period, *, now: datetime, audited: bool = True,
) -> Figures:
    """Every figure of the period, judged at `now`; seniors and administrators (audited:
    the figures are aggregates, but who looked at what is part of the record)."""
    actor.require(Action.VIEW_STATISTICS)
    now = as_utc(now)
    facts = facts_of(session, period)
    children = _children(session, period)
    breakdowns = _breakdowns(session, period)
    values = _headline(session, facts, now, children=children.pop("children"),
                       investigated=breakdowns["outcomes"][INVESTIGATED],
                       violence_investigated=breakdowns["violence_flagged_outcomes"][INVESTIGATED])
    values.update(_days_to_decision(session, period, values["decisions"]))
    values.update(children)
    values.update(_feedback(session, facts, now))
    values.update(breakdowns)
    values["reports_by_concern_category"] = _by_concern(session, period)
    values["open_items_by_age"] = _open_items_by_age(session, now)
    values["report_meetings"] = meetings_summary(session, actor, period)
    (values["reports_per_week_by_channel"],
     values["reports_per_week_by_reporter_category"]) = _per_week(session, period)
    if audited:
        audit.record(
            session, actor=actor.username, user_id=actor.user_id, action="statistics_viewed",
            details={"period": period.as_json()}, now=now,
        )
    return Figures(period, now, values)
