"""The e-service importer: every file in the inbox registered once, archived or quarantined.

One transaction per file, committed before the file moves (commit, then move). A crash
between the two leaves the file in the inbox; the next run finds its `source` +
`submission_id` already registered with the same content and archives it as a duplicate,
so nothing is registered twice and nothing is lost.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from mottagning.access.users import system_actor
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake import alarms
from mottagning.intake import inbox as inbox_files
from mottagning.intake.parse import content_key_of
from mottagning.intake.reports import (
    AttachmentInput,
    ChildInput,
    GuardianInput,
    NewReport,
    register_report,
)
from mottagning.intake.submission import ParsedSubmission, Unreadable
from mottagning.models import Alarm, ImportSource, Report
from mottagning.timeutil import utc_now

Progress = Callable[[int, int, str], None]


@dataclass
class ImportSummary:
    """The run summary; its keys are a public contract (`import --json`)."""

    files_seen: int = 0
    registered: int = 0
    queue_items_created: int = 0
    duplicates: int = 0
    quarantined: int = 0
    warnings: int = 0
    alarms_open: int = 0
    registered_report_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {
            "files_seen": self.files_seen,
            "registered": self.registered,
            "queue_items_created": self.queue_items_created,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "warnings": self.warnings,
            "alarms_open": self.alarms_open,
        }


def _late_note(delay: timedelta | None) -> str | None:
    if delay is None:
        return None
    hours = int(delay.total_seconds() // 3600)
    days, rest = divmod(hours, 24)
    span = f"{days} dygn och {rest} timmar" if days else f"{hours} timmar"
    return (f"Sen leverans: filen kom till inkorgen {span} efter att anmälan lämnades in. "
            "Tidsfristerna räknas från inlämningen.")


def to_new_report(parsed: ParsedSubmission) -> NewReport:
    reporter = parsed.reporter
    return NewReport(
        channel="etjanst",
        received_at=parsed.submitted_at,
        reporter_category=reporter.category or "okand",
        reporter_anonymous=reporter.anonymous,
        reporter_name=reporter.name,
        reporter_organisation=reporter.organisation,
        reporter_role=reporter.role,
        reporter_phone=reporter.phone,
        reporter_email=reporter.email,
        reporter_wants_feedback=reporter.wants_feedback,
        concern_codes=parsed.concern.categories,
        description=parsed.concern.description,
        immediate_danger=parsed.concern.immediate_danger,
        guardians_informed=parsed.concern.guardians_informed,
        child_informed=parsed.concern.child_informed,
        children=tuple(
            ChildInput(
                name=c.name or "Namn saknas",
                personnummer=c.personnummer or c.personnummer_as_received,
                birth_date=c.birth_date,
                street=c.address.street if c.address else None,
                postal_code=c.address.postal_code if c.address else None,
                city=c.address.city if c.address else None,
                school=c.school,
                protected_identity=c.protected_identity,
            )
            for c in parsed.children
        ),
        guardians=tuple(
            GuardianInput(
                name=g.name or "Namn saknas",
                personnummer=g.personnummer or g.personnummer_as_received,
                relation=g.relation,
                phone=g.phone,
                street=g.address.street if g.address else None,
                postal_code=g.address.postal_code if g.address else None,
                city=g.address.city if g.address else None,
                protected_identity=g.protected_identity,
            )
            for g in parsed.guardians
        ),
        attachments=tuple(
            AttachmentInput(a.filename, a.media_type, a.content)
            for a in parsed.attachments if a.content is not None
        ),
        source=parsed.source,
        submission_id=parsed.submission_id,
        sequence=parsed.sequence,
        original=parsed.stored_original,
        original_sha256=parsed.sha256,
        warnings=parsed.warnings,
        late_delivery_note=_late_note(parsed.late_delivery),
    )


def _arrival(path: Path) -> datetime:
    """When the file arrived in the inbox: its modification time (kept by the move)."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


class Importer:
    """Imports one inbox into one database. The caller holds the inbox lock."""

    def __init__(self, database: Database, inbox: Path, *, clock: Callable[[], datetime] = utc_now):
        self.database = database
        self.inbox = inbox
        self.clock = clock

    def run_once(
        self, *, progress: Progress | None = None, should_cancel: Callable[[], bool] | None = None,
    ) -> ImportSummary:
        summary = ImportSummary()
        self._adopt_orphaned_quarantine()
        paths = inbox_files.order_for_import(inbox_files.list_inbox(self.inbox))
        summary.files_seen = len(paths)
        for number, path in enumerate(paths, start=1):
            if progress is not None:
                progress(number - 1, len(paths), path.name)
            # only between files: a file in hand is finished (committed, then moved) first
            if should_cancel is not None and should_cancel():
                summary.files_seen -= len(paths) - (number - 1)  # the rest stay in the inbox, untouched
                break
            try:
                outcome = inbox_files.read_submission(path, now=self.clock())
            except FileNotFoundError:
                summary.files_seen -= 1  # taken by someone else meanwhile
                continue
            if isinstance(outcome, Unreadable):
                self._quarantine(path, outcome, summary, kind=alarms.UNREADABLE_FILE)
            else:
                self._import(path, outcome, summary)
        with self.database.transaction() as session:
            actor = system_actor(session)
            now = self.clock()
            self._refresh_gaps(session, actor, now)
            alarms.refresh_silence(session, actor, now=now)
            summary.alarms_open = alarms.count_open_alarms(session)
        if progress is not None:
            progress(len(paths), len(paths), "")
        return summary

    def _import(self, path: Path, parsed: ParsedSubmission, summary: ImportSummary) -> None:
        with self.database.transaction() as session:
            existing = session.execute(
                select(Report.id, Report.original).where(
                    Report.source == parsed.source, Report.submission_id == parsed.submission_id)
            ).first()
            if existing is None:
                self._register(session, parsed, summary)
        if existing is None:
            # Committed: only now may the file leave the inbox.
            replacement = parsed.stored_original if parsed.reporter.anonymous else None
            inbox_files.archive_submission(path, self.inbox, replacement_bytes=replacement)
            return
        report_id, original = existing
        # An anonymous reporter's identity must not survive in arkiv/ or karantan/ either.
        replacement = parsed.stored_original if parsed.reporter.anonymous else None
        if original is not None and content_key_of(original) == parsed.content_key:
            inbox_files.archive_submission(path, self.inbox, replacement_bytes=replacement)
            summary.duplicates += 1
            return
        conflict = Unreadable(
            f"Inlämningen {parsed.submission_id} från {parsed.source} finns redan registrerad "
            f"(anmälan {report_id}) med ett annat innehåll. Jämför de två och avgör vad som gäller.",
            f"Submission {parsed.submission_id} from {parsed.source} is already registered "
            f"(report {report_id}) with different content. Compare the two and decide.",
            None,
        )
        self._quarantine(path, conflict, summary, kind=alarms.CONFLICTING_DUPLICATE,
                         source=parsed.source, replacement=replacement)

    def _register(self, session, parsed: ParsedSubmission, summary: ImportSummary) -> None:  # type: ignore[no-untyped-def]
        actor = system_actor(session)
        now = self.clock()
        source = alarms.register_source(session, actor, parsed.source, now=now, automatic=True)
        result = register_report(session, actor, to_new_report(parsed), strict=False,
                                 check_personnummer=False, now=now)
        source.last_import_at = now
        if parsed.sequence is not None:
            source.highest_sequence = max(source.highest_sequence or 0, parsed.sequence)
        summary.registered += 1
        summary.queue_items_created += len(result.item_ids)
        summary.warnings += 1 if result.warnings else 0
        summary.registered_report_ids.append(result.report_id)

    def _quarantine(
        self, path: Path, problem: Unreadable, summary: ImportSummary, *, kind: str,
        source: str | None = None, replacement: bytes | None = None,
    ) -> None:
        if replacement is not None:
            # Write the anonymised content first; the original goes only after that.
            anonymised = path.with_name(f".{path.name}.anonym.part")
            anonymised.write_bytes(replacement)
            os.replace(anonymised, path)
        raw = path.read_bytes()
        arrived = _arrival(path)
        target = inbox_files.quarantine(path, self.inbox, problem.reason_sv, problem.reason_en)
        summary.quarantined += 1
        with self.database.transaction() as session:
            self._alarm_for_quarantined(session, target, raw, problem, kind=kind, source=source,
                                        arrived=arrived)

    def _alarm_for_quarantined(
        self, session, target: Path, raw: bytes, problem: Unreadable, *, kind: str,  # type: ignore[no-untyped-def]
        source: str | None, arrived: datetime | None = None,
    ) -> None:
        actor = system_actor(session)
        detail = f"{target.name}: {problem.reason_sv}"
        alarms.open_alarm(
            session, actor, kind=kind, key=str(target.relative_to(self.inbox)), source=source,
            detail=detail, now=self.clock(), quarantine_file=str(target.relative_to(self.inbox)),
            raw_content=raw, partial=problem.partial,
            file_arrived_at=min(arrived or self.clock(), self.clock()),
        )

    def _adopt_orphaned_quarantine(self) -> None:
        """A crash between quarantining a file and committing its alarm leaves a file that
        no alarm points to; give it one, so a quarantined file never goes unnoticed."""
        folder = self.inbox / inbox_files.QUARANTINE_DIR
        if not folder.is_dir():
            return
        with self.database.transaction() as session:
            known = set(session.execute(
                select(Alarm.quarantine_file).where(Alarm.quarantine_file.is_not(None))
            ).scalars())
            for path in sorted(folder.iterdir()):
                relative = str(path.relative_to(self.inbox))
                if path.name.endswith(inbox_files.SIDECAR_SUFFIX) or relative in known:
                    continue
                sidecar = path.with_name(path.name + inbox_files.SIDECAR_SUFFIX)
                reason = sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""
                problem = Unreadable(reason.strip() or "Filen ligger i karantän.", "", None)
                self._alarm_for_quarantined(session, path, path.read_bytes(), problem,
                                            kind=alarms.UNREADABLE_FILE, source=None,
                                            arrived=_arrival(path))

    def _refresh_gaps(self, session, actor: Actor, now: datetime) -> None:  # type: ignore[no-untyped-def]
        """A missing-submission alarm for every hole in a source's sequence; closed by
        itself when the submission arrives."""
        for source in session.execute(select(ImportSource)).scalars():
            seen = set(session.execute(
                select(Report.sequence).where(Report.source == source.name,
                                              Report.sequence.is_not(None))
            ).scalars())
            if seen:
                for missing in sorted(set(range(min(seen), max(seen))) - seen):
                    key = f"{source.name}:{missing}"
                    if alarms.was_acknowledged(session, kind=alarms.MISSING_SUBMISSION, key=key):
                        continue
                    alarms.open_alarm(
                        session, actor, kind=alarms.MISSING_SUBMISSION, key=key,
                        source=source.name, now=now,
                        detail=(f"Inlämning nummer {missing} från {source.name} har inte kommit, "
                                f"men nummer {missing + 1 if missing + 1 in seen else max(seen)} har. "
                                "Kontakta e-tjänstens förvaltare."),
                    )
            open_gaps = session.execute(
                select(Alarm).where(Alarm.kind == alarms.MISSING_SUBMISSION,
                                    Alarm.source == source.name, Alarm.closed_at.is_(None))
            ).scalars().all()
            for alarm in open_gaps:
                number = int(alarm.key.rsplit(":", 1)[1])
                if number in seen:
                    alarms.close_alarm(session, actor, alarm, now=now, by_person=False,
                                       reason=f"Inlämning nummer {number} har kommit.")
