"""CSV and XLSX exports of the figures and of pseudonymous underlying rows.

The rows carry no name, personnummer, address, reporter identity or free text; each row
and report is named by a pseudonym (an HMAC with a key kept in the database), stable
between exports so a later export can be matched with an earlier one. In an export meant
for publication every count of 1–4 children, and every share or time computed from fewer
than 5, is written "<5" (the limit is the setting `stats_small_number_limit`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, literal, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.i18n import _
from mottagning.models import Report
from mottagning.rules.permissions import Action
from mottagning.settings import put_setting, setting, stored_setting
from mottagning.stats.definitions import BREAKDOWNS, HEADLINE
from mottagning.stats.figures import Figures, age_band, days_to_decision_of, facts_of
from mottagning.stats.period import Period
from mottagning.timeutil import as_utc

SMALL_NUMBER_LIMIT_KEY = "stats_small_number_limit"
DEFAULT_SMALL_NUMBER_LIMIT = 5
PSEUDONYM_KEY = "stats_pseudonym_key"
SUPPRESSED = "<5"

ROW_COLUMNS = (
    "row_id", "report_id", "received_week", "channel", "reporter_category", "concern_categories",
    "age_band", "sex", "violence_flag", "protection_hours", "protection_within_24h",
    "decision_days", "decision_timeliness", "outcome", "extension_signed",
)


def small_number_limit(session: Session) -> int:
    return int(setting(session, SMALL_NUMBER_LIMIT_KEY))


def _suppress_count(value: Any, limit: int) -> Any:
    return SUPPRESSED if isinstance(value, int) and 0 < value < limit else value


def figure_rows(figures: Figures, *, publication: bool, limit: int = DEFAULT_SMALL_NUMBER_LIMIT
                ) -> list[tuple[str, str, Any, str]]:
    """(key, Swedish label, value, definition) for every headline figure, in order."""
    rows = []
    for definition in HEADLINE:
        value = figures[definition.key]
        if publication:
            if definition.kind == "count":
                value = _suppress_count(value, limit)
            elif definition.denominator is not None and value is not None \
                    and figures[definition.denominator] < limit:
                value = SUPPRESSED
        rows.append((definition.key, definition.label, value, definition.definition))
    return rows


def breakdown_rows(figures: Figures, *, publication: bool, limit: int = DEFAULT_SMALL_NUMBER_LIMIT
                   ) -> list[tuple[str, str, str, Any]]:
    """(breakdown key, dimension, category, count) of every breakdown, weeks included."""
    rows: list[tuple[str, str, str, Any]] = []
    for key in BREAKDOWNS:
        value = figures[key]
        if isinstance(value, dict):
            entries: Iterable[tuple[str, str, Any]] = (("", k, n) for k, n in value.items())
        else:
            dimension = "channel" if key.endswith("channel") else "reporter_category"
            entries = ((e["week"], e[dimension], e["reports"]) for e in value)
        for week, category, count in entries:
            rows.append((key, week, category,
                         _suppress_count(count, limit) if publication else count))
    return rows


def _pseudonym(secret: str, kind: str, number: int) -> str:
    return hmac.new(bytes.fromhex(secret), f"{kind}:{number}".encode(), hashlib.sha256).hexdigest()[:12]


def _pseudonym_secret(session: Session) -> str:
    secret = stored_setting(session, PSEUDONYM_KEY)
    if secret is None:
        secret = secrets.token_hex(32)
        put_setting(session, PSEUDONYM_KEY, secret)
    return str(secret)


def underlying_rows(session: Session, actor: Actor, period: Period, *, now: datetime
                    ) -> list[dict[str, Any]]:
    """One row per child in each report of the period, pseudonymous, without free text."""
    from mottagning.stats import sql
    from mottagning.stats.period import weeks

    actor.require(Action.VIEW_STATISTICS)
    now = as_utc(now)
    facts = facts_of(session, period)
    f = facts.c
    week = sql.buckets("weeks", weeks(period))
    timeliness = case(
        (f.decided_at.is_(None), case((f.applicable_due < now, literal("overdue")),
                                      else_=literal("pending"))),
        (f.decided_at <= f.decision_due, literal("within_14_days")),
        (and_(f.extended_due.is_not(None), f.decided_at <= f.extended_due),
         literal("with_extension")),
        else_=literal("late"),
    )
    statement = (
        select(f.item_id, f.report_id, week.c.label, Report.channel, Report.reporter_category,
               Report.concern_codes, age_band(f.age), f.sex,
               f.flag_violence, sql.days_between(session, f.assessed_at, f.received_at) * 24,
               f.assessed_at <= f.protection_due, days_to_decision_of(session, facts), timeliness,
               f.outcome,
               f.extended_due.is_not(None))
        .select_from(facts)
        .join(Report, Report.id == f.report_id)
        .join(week, and_(f.received_at >= week.c.bucket_start, f.received_at < week.c.bucket_end))
        .order_by(f.received_at, f.item_id)
    )
    secret = _pseudonym_secret(session)
    rows = []
    for (item_id, report_id, week_label, channel, category, concerns, band, sex, violence,
         protection_hours, protection_ok, days, timely, outcome, extended) in session.execute(statement):
        rows.append({
            "row_id": _pseudonym(secret, "item", item_id),
            "report_id": _pseudonym(secret, "report", report_id),
            "received_week": week_label, "channel": channel, "reporter_category": category,
            "concern_categories": " ".join(sorted(concerns or [])), "age_band": band, "sex": sex,
            "violence_flag": bool(violence),
            "protection_hours": None if protection_hours is None else round(float(protection_hours), 1),
            "protection_within_24h": None if protection_ok is None else bool(protection_ok),
            "decision_days": None if days is None else round(float(days), 1),
            "decision_timeliness": timely, "outcome": outcome, "extension_signed": bool(extended),
        })
    return rows


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    # UTF-8 with BOM so a Swedish Excel opens å, ä and ö correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def _audit_export(session: Session, actor: Actor, *, what: str, period: Period, path: Path,
                  publication: bool, rows: int, now: datetime) -> None:
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="statistics_exported",
        details={"what": what, "period": period.as_json(), "file": path.name,
                 "publication": publication, "rows": rows}, now=now,
    )


FIGURE_HEADER = (_("Nyckel"), _("Figur"), _("Värde"), _("Definition"))
BREAKDOWN_HEADER = (_("Fördelning"), _("Vecka"), _("Kategori"), _("Antal"))


def export_figures(session: Session, actor: Actor, figures: Figures, path: Path, *,
                   publication: bool, now: datetime, rows: list[dict[str, Any]] | None = None) -> Path:
    """Write the figures (CSV: one table; XLSX: figures, breakdowns and, when given, the
    pseudonymous rows) to `path`; the suffix chooses the format. Audited."""
    actor.require(Action.VIEW_STATISTICS)
    limit = small_number_limit(session)
    headline = figure_rows(figures, publication=publication, limit=limit)
    breakdowns = breakdown_rows(figures, publication=publication, limit=limit)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(path, (_("Nyckel"), _("Figur"), _("Vecka"), _("Kategori"), _("Värde"), _("Definition")),
                   [(k, label, "", "", v, d) for k, label, v, d in headline]
                   + [(k, BREAKDOWNS[k][0], w, c, n, BREAKDOWNS[k][1]) for k, w, c, n in breakdowns])
    elif suffix == ".xlsx":
        sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = [
            (_("Nyckeltal"), FIGURE_HEADER, headline),
            (_("Fördelningar"), BREAKDOWN_HEADER, breakdowns),
            (_("Period"), (_("Från"), _("Till"), _("Beräknad"), _("Publicering")),
             [(figures.period.first_day.isoformat(), figures.period.last_day.isoformat(),
               as_utc(figures.computed_at).isoformat(timespec="seconds"),
               _("ja, små tal visas som <5") if publication else _("nej, internt bruk"))]),
        ]
        if rows is not None:
            sheets.append((_("Rader"), ROW_COLUMNS, ([r[c] for c in ROW_COLUMNS] for r in rows)))
        write_xlsx(path, sheets)
    else:
        raise ValidationError([_("Exportfilen ska sluta på .csv eller .xlsx.")])
    _audit_export(session, actor, what="figures", period=figures.period, path=path,
                  publication=publication, rows=len(rows or []), now=now)
    return path


def export_rows(session: Session, actor: Actor, period: Period, path: Path, *, now: datetime) -> int:
    """Write the pseudonymous rows alone (CSV or XLSX); returns how many. Audited."""
    rows = underlying_rows(session, actor, period, now=now)
    values = [[r[c] for c in ROW_COLUMNS] for r in rows]
    if path.suffix.lower() == ".csv":
        write_csv(path, ROW_COLUMNS, values)
    elif path.suffix.lower() == ".xlsx":
        write_xlsx(path, [(_("Rader"), ROW_COLUMNS, values)])
    else:
        raise ValidationError([_("Exportfilen ska sluta på .csv eller .xlsx.")])
    _audit_export(session, actor, what="rows", period=period, path=path, publication=False,
                  rows=len(rows), now=now)
    return len(rows)


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    """A workbook with one sheet per (title, header, rows), header in bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(list(row))
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 80)
    workbook.save(path)


