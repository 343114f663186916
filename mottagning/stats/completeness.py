"""Report completeness per reporting organisation, so the unit can give schools and
preschools concrete feedback on what a complete report contains.

Four expected elements. Three are derived from the report itself, in SQL, whatever channel
it came by (the e-service fills the same fields as the registration form):
- `child_identity`: every child has a personnummer or at least a birth date;
- `guardians_informed`: the report says whether the guardians know about it;
- `reporter_contact`: a named reporter left a phone number or an e-mail address (an
  anonymous reporter is not counted as missing: anonymity is their right).
The fourth, `observation` (what was observed and when), only a reader of the text can
judge: a worker records it (`record_observation`); until then it is unknown.

The figures name organisations, never a child; an organisation export is meant to be sent
to the organisation itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import NotFound, ValidationError
from mottagning.i18n import _
from mottagning.intake.reports import NewReport
from mottagning.models import Child, QueueItem, Report, ReportCompleteness
from mottagning.rules.codes import reporter_label
from mottagning.rules.permissions import Action
from mottagning.stats.export import write_csv, write_xlsx
from mottagning.stats.period import Period
from mottagning.timeutil import as_utc, utc_now

ELEMENTS = ("child_identity", "observation", "guardians_informed", "reporter_contact")
ELEMENT_LABELS_SV = {
    "child_identity": _("Barnets identitet (personnummer eller födelsedatum)"),
    "observation": _("Vad som iakttagits och när"),
    "guardians_informed": _("Om vårdnadshavarna känner till anmälan"),
    "reporter_contact": _("Anmälarens kontaktuppgifter"),
}
UNKNOWN_ORGANISATION = _("(organisation ej angiven)")


@dataclass(frozen=True)
class OrganisationCompleteness:
    organisation: str
    reporter_category: str
    reports: int
    missing: dict[str, int]  # element -> reports lacking it
    observation_judged: int  # reports whose text a worker has judged

    def as_json(self) -> dict[str, Any]:
        return {"organisation": self.organisation, "reporter_category": self.reporter_category,
                "reports": self.reports, "missing": self.missing,
                "observation_judged": self.observation_judged}


def record_observation(session: Session, actor: Actor, report_id: int, *, missing: bool,
                       now: datetime | None = None) -> Changes:
    """A worker records whether the report says what was observed and when (audited)."""
    actor.require(Action.READ_CASE)
    now = now or utc_now()
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(_("Anmälan {id} finns inte.").format(id=report_id))
    row = session.get(ReportCompleteness, report_id)
    if row is None:
        row = ReportCompleteness(report_id=report_id, observation_missing=missing,
                                 recorded_by_id=actor.user_id, recorded_at=now)
        session.add(row)
    else:
        row.observation_missing, row.recorded_by_id, row.recorded_at = missing, actor.user_id, now
    session.flush()
    audit.record(session, actor=actor.username, user_id=actor.user_id,
                 action="report_completeness_recorded", entity_type="report", entity_id=report_id,
                 details={"observation_missing": missing}, now=now)
    return Changes(item_ids=tuple(i.id for i in report.items))


def observation_judged(session: Session, actor: Actor, report_id: int) -> bool | None:
    """Whether a worker judged that the report lacks what was observed and when (None: not
    judged yet)."""
    actor.require(Action.READ_CASE)
    row = session.get(ReportCompleteness, report_id)
    return None if row is None else row.observation_missing


def missing_elements(report: NewReport, *, observation_missing: bool | None) -> list[str]:
    """The expected elements a report about to be registered lacks, by the rules the figures
    apply to stored reports (`_missing_expressions`; a test holds the two together): what
    the registration form shows while it is filled in. `observation_missing` None: not judged."""
    missing = []
    if any(not (child.personnummer or child.birth_date or child.existing_child_id)
           for child in report.children):
        missing.append("child_identity")
    if observation_missing:
        missing.append("observation")
    if report.guardians_informed is None:
        missing.append("guardians_informed")
    if not report.reporter_anonymous and not (report.reporter_phone or report.reporter_email):
        missing.append("reporter_contact")
    return missing


def _missing_expressions() -> dict[str, Any]:
    unidentified_child = exists(
        select(QueueItem.id).join(Child, Child.id == QueueItem.child_id)
        .where(QueueItem.report_id == Report.id, Child.personnummer.is_(None),
               Child.birth_date.is_(None))
    )
    return {
        "child_identity": unidentified_child,
        "observation": ReportCompleteness.observation_missing.is_(True),
        "guardians_informed": Report.guardians_informed.is_(None),
        "reporter_contact": and_(Report.reporter_anonymous.is_(False),
                                 or_(Report.reporter_phone.is_(None), Report.reporter_phone == ""),
                                 or_(Report.reporter_email.is_(None), Report.reporter_email == "")),
    }


def completeness_by_organisation(session: Session, actor: Actor, period: Period, *,
                                 now: datetime | None = None) -> list[OrganisationCompleteness]:
    """Per reporting organisation (and reporter category), how many of the period's reports
    lack each element; anonymous reports are left out (they have no organisation to tell)."""
    actor.require(Action.VIEW_STATISTICS)
    organisation = func.coalesce(func.nullif(func.trim(Report.reporter_organisation), ""),
                                 literal(UNKNOWN_ORGANISATION))
    expressions = _missing_expressions()
    rows = session.execute(
        select(organisation, Report.reporter_category, func.count(Report.id),
               *(func.coalesce(func.sum(case((e, 1), else_=0)), 0) for e in expressions.values()),
               func.count(ReportCompleteness.report_id))
        .select_from(Report)
        .outerjoin(ReportCompleteness, ReportCompleteness.report_id == Report.id)
        .where(Report.received_at >= period.start, Report.received_at < period.end,
               Report.reporter_anonymous.is_(False))
        .group_by(organisation, Report.reporter_category)
        .order_by(func.count(Report.id).desc(), organisation, Report.reporter_category)
    ).all()
    result = [
        OrganisationCompleteness(
            organisation=row[0], reporter_category=row[1], reports=int(row[2]),
            missing={element: int(n) for element, n in zip(expressions, row[3:7], strict=True)},
            observation_judged=int(row[7]))
        for row in rows
    ]
    audit.record(session, actor=actor.username, user_id=actor.user_id,
                 action="completeness_listed", details={"period": period.as_json()},
                 now=as_utc(now or utc_now()))
    return result


def export_completeness(session: Session, actor: Actor, period: Period, path: Path, *,
                        organisation: str | None = None, now: datetime | None = None) -> int:
    """The table (all organisations, or one) to CSV or XLSX; names no child. Audited."""
    rows = completeness_by_organisation(session, actor, period, now=now)
    if organisation is not None:
        rows = [r for r in rows if r.organisation == organisation]
    header = (_("Organisation"), _("Anmälarkategori"), _("Anmälningar"),
              *(_("Saknar: {element}").format(element=ELEMENT_LABELS_SV[e]) for e in ELEMENTS),
              _("Bedömda för iakttagelse"))
    values = [(r.organisation, reporter_label(r.reporter_category), r.reports,
               *(r.missing[e] for e in ELEMENTS), r.observation_judged) for r in rows]
    if path.suffix.lower() == ".csv":
        write_csv(path, header, values)
    elif path.suffix.lower() == ".xlsx":
        write_xlsx(path, [(_("Fullständighet"), header, values)])
    else:
        raise ValidationError([_("Exportfilen ska sluta på .csv eller .xlsx.")])
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="statistics_exported",
                 details={"what": "completeness", "period": period.as_json(), "file": path.name,
                          "organisation": organisation, "rows": len(values)},
                 now=as_utc(now or utc_now()))
    return len(values)
