"""Follow-up lists: återkoppling due to mandatory reporters who asked for it, and
anmälningsmöten offered, booked and held.

The återkoppling letter itself is `mottagning letter aterkoppling --item N` (the letters
area): approved, it waits in the print queue, and marking it sent closes the task (a letter
may still be cancelled before that). Återkoppling given another way, by phone or at a
meeting (or by a letter written outside the program), a worker records here with
`record_feedback_given`, which also marks the task done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.decisions.delegation import FEEDBACK_LABELS_SV
from mottagning.decisions.extensions import complete_feedback_task
from mottagning.errors import NotFound, ValidationError
from mottagning.i18n import _
from mottagning.models import (
    FeedbackGiven,
    FeedbackTask,
    IssuedLetter,
    QueueItem,
    Report,
    ReportMeeting,
)
from mottagning.rules.permissions import Action
from mottagning.stats.period import Period
from mottagning.timeutil import as_utc, to_local, utc_now

ATERKOPPLING = "aterkoppling"  # the letter kind (mottagning.letters.model.LetterKind)
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
    # An återkoppling letter approved or printed, not yet sent: it closes the task when sent.
    letter_waiting: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "item_id": self.item_id, "report_id": self.report_id,
                "content": self.content, "content_label": FEEDBACK_LABELS_SV.get(self.content, self.content),
                "due_at": to_local(self.due_at).isoformat(timespec="minutes"),
                "overdue": self.overdue, "reporter_category": self.reporter_category,
                "reporter_organisation": self.reporter_organisation,
                "letter_waiting": self.letter_waiting}


def feedback_due(session: Session, actor: Actor, *, now: datetime | None = None,
                 item_id: int | None = None) -> list[FeedbackDue]:
    """Every återkoppling not yet given (of one item, or all), the earliest due first."""
    actor.require(Action.WRITE_LETTER)
    now = as_utc(now or utc_now())
    letter_waiting = exists(select(IssuedLetter.id).where(
        IssuedLetter.item_id == FeedbackTask.item_id, IssuedLetter.kind == ATERKOPPLING,
        IssuedLetter.status.in_(("approved", "printed"))))
    statement = (
        select(FeedbackTask.id, FeedbackTask.item_id, QueueItem.report_id, FeedbackTask.content,
               FeedbackTask.due_at, Report.reporter_category, Report.reporter_organisation,
               letter_waiting)
        .join(QueueItem, QueueItem.id == FeedbackTask.item_id)
        .join(Report, Report.id == QueueItem.report_id)
        .where(FeedbackTask.done.is_(False))
        .order_by(FeedbackTask.due_at, FeedbackTask.id)
    )
    if item_id is not None:
        statement = statement.where(FeedbackTask.item_id == item_id)
    rows = session.execute(statement)
    return [FeedbackDue(task_id, item_id, report_id, content, as_utc(due), as_utc(due) < now,
                        category, organisation, bool(waiting))
            for task_id, item_id, report_id, content, due, category, organisation, waiting in rows]


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


@dataclass(frozen=True)
class MeetingState:
    """A report's anmälningsmöte as it stands: its newest recorded step."""

    report_id: int
    item_ids: tuple[int, ...]
    status: str
    meeting_at: datetime | None
    recorded_at: datetime
    reporter_organisation: str | None

    @property
    def status_label(self) -> str:
        return MEETING_STATUSES[self.status]


def _meeting_states(session: Session, *where: Any) -> list[MeetingState]:
    newest = (select(ReportMeeting.report_id, func.max(ReportMeeting.id).label("id"))
              .group_by(ReportMeeting.report_id).subquery("newest"))
    rows = session.execute(
        select(ReportMeeting.report_id, ReportMeeting.status, ReportMeeting.meeting_at,
               ReportMeeting.recorded_at, Report.reporter_organisation)
        .join(newest, newest.c.id == ReportMeeting.id)
        .join(Report, Report.id == ReportMeeting.report_id)
        .where(*where)
        .order_by(func.coalesce(ReportMeeting.meeting_at, ReportMeeting.recorded_at), ReportMeeting.id)
    ).all()
    items: dict[int, list[int]] = {}
    if rows:
        for report_id, item in session.execute(
                select(QueueItem.report_id, QueueItem.id)
                .where(QueueItem.report_id.in_([r[0] for r in rows])).order_by(QueueItem.id)):
            items.setdefault(report_id, []).append(item)
    return [MeetingState(report_id, tuple(items.get(report_id, ())), status,
                         None if at is None else as_utc(at), as_utc(recorded), organisation)
            for report_id, status, at, recorded, organisation in rows]


def report_meeting(session: Session, actor: Actor, report_id: int) -> MeetingState | None:
    """The report's anmälningsmöte as it stands (None: nothing recorded yet)."""
    actor.require(Action.WRITE_LETTER)
    states = _meeting_states(session, ReportMeeting.report_id == report_id)
    return states[0] if states else None


def meetings_pending(session: Session, actor: Actor) -> list[MeetingState]:
    """Anmälningsmöten offered or booked and not yet held or declined, the soonest first."""
    actor.require(Action.WRITE_LETTER)
    return _meeting_states(session, ReportMeeting.status.in_(("offered", "booked")))


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
