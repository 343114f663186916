"""Follow-up lists: återkoppling due to mandatory reporters who asked for it, and
anmälningsmöten offered, booked and held.

The återkoppling letter itself is `mottagning letter aterkoppling --item N` (the letters
area); here a worker records how the återkoppling was given (letter, phone or meeting),
which also marks the task done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.decisions.delegation import FEEDBACK_LABELS_SV
from mottagning.decisions.extensions import complete_feedback_task
from mottagning.errors import NotFound, ValidationError
from mottagning.i18n import _
from mottagning.models import FeedbackGiven, FeedbackTask, QueueItem, Report, ReportMeeting
from mottagning.rules.permissions import Action
from mottagning.stats.period import Period
from mottagning.timeutil import as_utc, to_local, utc_now

FEEDBACK_METHODS = {"letter": _("Brev"), "phone": _("Telefon"), "meeting": _("Möte")}
MEETING_STATUSES = {"offered": _("Erbjudet"), "booked": _("Bokat"), "held": _("Genomfört"),
                    "declined": _("Avböjt")}


@dataclass(frozen=True)
class FeedbackDue:
    task_id: int
    item_id: int
    report_id: int
    content: str
    due_at: datetime
    overdue: bool
    reporter_category: str
    reporter_organisation: str | None

    def as_json(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "item_id": self.item_id, "report_id": self.report_id,
                "content": self.content, "content_label": FEEDBACK_LABELS_SV.get(self.content, self.content),
                "due_at": to_local(self.due_at).isoformat(timespec="minutes"),
                "overdue": self.overdue, "reporter_category": self.reporter_category,
                "reporter_organisation": self.reporter_organisation}


def feedback_due(session: Session, actor: Actor, *, now: datetime | None = None) -> list[FeedbackDue]:
    """Every återkoppling not yet given, the earliest due first."""
    actor.require(Action.WRITE_LETTER)
    now = as_utc(now or utc_now())
    rows = session.execute(
        select(FeedbackTask.id, FeedbackTask.item_id, QueueItem.report_id, FeedbackTask.content,
               FeedbackTask.due_at, Report.reporter_category, Report.reporter_organisation)
        .join(QueueItem, QueueItem.id == FeedbackTask.item_id)
        .join(Report, Report.id == QueueItem.report_id)
        .where(FeedbackTask.done.is_(False))
        .order_by(FeedbackTask.due_at, FeedbackTask.id)
    )
    return [FeedbackDue(task_id, item_id, report_id, content, as_utc(due), as_utc(due) < now,
                        category, organisation)
            for task_id, item_id, report_id, content, due, category, organisation in rows]


def record_feedback_given(session: Session, actor: Actor, task_id: int, *, method: str,
                          now: datetime | None = None) -> Changes:
    """The återkoppling was given by letter, phone or at a meeting: the task is done."""
    actor.require(Action.WRITE_LETTER)
    now = now or utc_now()
    if method not in FEEDBACK_METHODS:
        raise ValidationError([_("Välj hur återkopplingen gavs: brev, telefon eller möte.")])
    task = session.get(FeedbackTask, task_id)
    if task is None:
        raise NotFound(_("Återkopplingsuppgift {id} finns inte.").format(id=task_id))
    if task.done:
        raise ValidationError([_("Återkopplingen är redan given.")])
    changes = complete_feedback_task(session, actor, task_id, now=now)
    session.add(FeedbackGiven(task_id=task_id, method=method, recorded_by_id=actor.user_id,
                              recorded_at=now))
    session.flush()
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="feedback_given",
                 entity_type="feedback_task", entity_id=task_id,
                 details={"item_id": task.item_id, "method": method}, now=now)
    return changes


def record_meeting(session: Session, actor: Actor, report_id: int, *, status: str,
                   meeting_at: datetime | None = None, now: datetime | None = None) -> Changes:
    """An anmälningsmöte offered, booked (with its time), held or declined, on the report."""
    actor.require(Action.WRITE_LETTER)
    now = now or utc_now()
    if status not in MEETING_STATUSES:
        raise ValidationError([_("Okänt läge för anmälningsmötet: {status}.").format(status=status)])
    if status == "booked" and meeting_at is None:
        raise ValidationError([_("Ange när det bokade mötet äger rum.")])
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(_("Anmälan {id} finns inte.").format(id=report_id))
    session.add(ReportMeeting(report_id=report_id, status=status, meeting_at=meeting_at,
                              recorded_by_id=actor.user_id, recorded_at=now))
    session.flush()
    audit.record(session, actor=actor.username, user_id=actor.user_id, action="report_meeting_recorded",
                 entity_type="report", entity_id=report_id,
                 details={"status": status,
                          "meeting_at": None if meeting_at is None else as_utc(meeting_at).isoformat()},
                 now=now)
    return Changes(item_ids=tuple(i.id for i in report.items))


def meetings_summary(session: Session, actor: Actor, period: Period) -> dict[str, int]:
    """Reports of the period whose anmälningsmöte reached each step: `offered` (any step
    recorded), `booked` (booked or held), `held`, `declined`."""
    actor.require(Action.VIEW_STATISTICS)

    def reached(*statuses: str) -> Any:
        return func.max(case((ReportMeeting.status.in_(statuses), 1), else_=0))

    per_report = (
        select(ReportMeeting.report_id, reached("booked", "held").label("booked"),
               reached("held").label("held"), reached("declined").label("declined"))
        .join(Report, Report.id == ReportMeeting.report_id)
        .where(Report.received_at >= period.start, Report.received_at < period.end)
        .group_by(ReportMeeting.report_id)
        .subquery("per_report")
    )
    row = session.execute(select(
        func.count(), func.coalesce(func.sum(per_report.c.booked), 0),
        func.coalesce(func.sum(per_report.c.held), 0),
        func.coalesce(func.sum(per_report.c.declined), 0))).one()
    return {"offered": int(row[0]), "booked": int(row[1]), "held": int(row[2]),
            "declined": int(row[3])}
