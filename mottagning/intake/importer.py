"""The e-service importer: every file in the inbox registered once, archived or quarantined.

One transaction per file, committed before the file moves (commit, then move). A crash
between the two leaves the file in the inbox; the next run finds its `source` +
`submission_id` already registered with the same content and archives it as a duplicate,
so nothing is registered twice and nothing is lost.

One bad file never blocks the others: each file runs in its own error boundary. An
unexpected exception quarantines that file; when even that fails, or a step of the run
itself fails, an `importer_failure` alarm is opened, so `alarms --check` reports it.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

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
from mottagning.terminal import printable
from mottagning.timeutil import utc_now

Progress = Callable[[int, int, str], None]

log = logging.getLogger(__name__)

MAX_PLAUSIBLE_GAP = 1000
"""More missing submissions in one gap than this is no e-service losing files but a
sequence that jumped (a bug, a reset, a hostile file): a data-quality warning on the
report that jumped, not an alarm per number."""


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


def _arrival(path: Path) -> datetime | None:
    """When the file arrived in the inbox: its modification time (kept by the move); never
    through a link, and None when the entry cannot even be looked at."""
    try:
        return datetime.fromtimestamp(path.lstat().st_mtime, UTC)
    except (OSError, OverflowError, ValueError):
        return None


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
        self._guarded("adopt", self._adopt_orphaned_quarantine)
        paths = inbox_files.order_for_import(inbox_files.list_inbox(self.inbox))
        summary.files_seen = len(paths)
        for number, path in enumerate(paths, start=1):
            if progress is not None:
                progress(number - 1, len(paths), inbox_files.display_name(path.name))
            # only between files: a file in hand is finished (committed, then moved) first
            if should_cancel is not None and should_cancel():
                summary.files_seen -= len(paths) - (number - 1)  # the rest stay in the inbox, untouched
                break
            try:
                self._take(path, summary)
            except FileNotFoundError:
                summary.files_seen -= 1  # taken by someone else meanwhile
            except OperationalError:
                raise  # the database is unreachable: the run cannot complete
            except Exception as error:  # noqa: BLE001 - one bad file never blocks the others
                self._contain(path, error, summary)

        def refresh() -> None:
            with self.database.transaction() as session:
                actor = system_actor(session)
                now = self.clock()
                self._refresh_gaps(session, actor, now)
                alarms.refresh_silence(session, actor, now=now)
                self._close_resolved_failures(session, actor, now)

        self._guarded("refresh", refresh)
        with self.database.transaction() as session:
            summary.alarms_open = alarms.count_open_alarms(session)
        if progress is not None:
            progress(len(paths), len(paths), "")
        return summary

    def _take(self, path: Path, summary: ImportSummary) -> None:
        outcome, raw = inbox_files.read_entry(path, now=self.clock())
        if isinstance(outcome, Unreadable):
            self._quarantine(path, outcome, summary, kind=alarms.UNREADABLE_FILE,
                             raw=raw, replacement=outcome.anonymised)
        else:
            self._import(path, outcome, raw, summary)

    def _contain(self, path: Path, error: Exception, summary: ImportSummary) -> None:
        """The error boundary of one file: quarantine it, or at least raise an alarm."""
        name = inbox_files.display_name(path.name)
        log.exception("Import of %s failed", name)
        if not isinstance(error, OSError) and os.path.lexists(path):
            problem = Unreadable(
                f"Ett oväntat fel uppstod vid importen ({type(error).__name__}). "
                "Registrera anmälan för hand.",
                f"An unexpected error occurred during import ({type(error).__name__}). "
                "Register the report by hand.",
            )
            try:
                self._quarantine(path, problem, summary, kind=alarms.UNREADABLE_FILE,
                                 raw=inbox_files.read_bounded(path))
                return
            except Exception as second:  # noqa: BLE001 - fall back to an alarm without the file
                log.exception("Quarantine of %s failed", name)
                error = second
        # An OSError is the surroundings (permissions, a full disk): the file stays where it
        # is and is tried again on the next run, but someone must look at it.
        self._raise_failure(
            f"file:{name}",
            f"Filen {name} kunde inte importeras och inte heller sättas i karantän "
            f"({type(error).__name__}: {printable(str(error))[:300]}). "
            "Kontrollera inkorgen och filens behörigheter.",
            error,
        )

    def _guarded(self, step: str, work: Callable[[], None]) -> None:
        try:
            work()
        except OperationalError:
            raise
        except Exception as error:  # noqa: BLE001 - the rest of the run still goes on
            log.exception("Import step %s failed", step)
            self._raise_failure(
                f"run:{step}",
                f"Ett steg i importen misslyckades ({step}: {type(error).__name__}: "
                f"{printable(str(error))[:300]}). Kontakta systemförvaltaren.",
                error,
            )

    def _close_resolved_failures(self, session, actor: Actor, now: datetime) -> None:  # type: ignore[no-untyped-def]
        """A file that failed is no longer in the inbox (a later run took it, or a person
        moved it): its `importer_failure` alarm closes by itself."""
        present = {f"file:{inbox_files.display_name(p.name)}"[:300]
                   for p in inbox_files.list_inbox(self.inbox)}
        failures = session.execute(
            select(Alarm).where(Alarm.kind == alarms.IMPORTER_FAILURE, Alarm.closed_at.is_(None),
                                Alarm.key.like("file:%"))
        ).scalars().all()
        for alarm in failures:
            if alarm.key not in present:
                alarms.close_alarm(session, actor, alarm, now=now, by_person=False,
                                   reason="Filen ligger inte längre i inkorgen.")

    def _raise_failure(self, key: str, detail: str, error: Exception) -> None:
        """An open `importer_failure` alarm; when even that cannot be written, the run fails."""
        try:
            with self.database.transaction() as session:
                alarms.open_alarm(session, system_actor(session), kind=alarms.IMPORTER_FAILURE,
                                  key=key[:300], source=None, detail=detail, now=self.clock())
        except Exception:
            raise error from None

    def _import(
        self, path: Path, parsed: ParsedSubmission, raw: bytes | None, summary: ImportSummary,
    ) -> None:
        try:
            with self.database.transaction() as session:
                existing = self._existing(session, parsed)
                if existing is None:
                    self._register(session, parsed, summary)
        except IntegrityError:
            # Another importer (another machine on the same server) committed the same
            # submission between our check and our commit: it is a duplicate after all.
            with self.database.transaction() as session:
                existing = self._existing(session, parsed)
            if existing is None:
                raise
        # An anonymous reporter's identity must not survive in arkiv/ or karantan/ either.
        replacement = parsed.stored_original if parsed.reporter.anonymous else None
        if existing is None:
            # Committed: only now may the file leave the inbox.
            inbox_files.archive_submission(path, self.inbox, replacement_bytes=replacement)
            return
        report_id, original = existing
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
                         source=parsed.source, raw=raw, replacement=replacement)

    @staticmethod
    def _existing(session, parsed: ParsedSubmission):  # type: ignore[no-untyped-def]
        return session.execute(
            select(Report.id, Report.original).where(
                Report.source == parsed.source, Report.submission_id == parsed.submission_id)
        ).first()

    def _register(self, session, parsed: ParsedSubmission, summary: ImportSummary) -> None:  # type: ignore[no-untyped-def]
        actor = system_actor(session)
        now = self.clock()
        source = alarms.register_source(session, actor, parsed.source, now=now, automatic=True)
        new_report = to_new_report(parsed)
        highest = source.highest_sequence
        if parsed.sequence is not None and highest is not None \
                and parsed.sequence - highest > MAX_PLAUSIBLE_GAP + 1:
            new_report = dataclasses.replace(new_report, warnings=(*new_report.warnings, (
                f"Löpnumret {parsed.sequence} är orimligt långt från det högsta hittills "
                f"({highest}) från {parsed.source}; luckan larmas inte. "
                "Kontrollera med e-tjänstens förvaltare att inga inlämningar saknas.")))
        result = register_report(session, actor, new_report, strict=False,
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
        raw: bytes | None, source: str | None = None, replacement: bytes | None = None,
    ) -> None:
        """Move the entry to karantan/ and open its alarm, holding `raw` (None when the
        entry was not read: a link, a special file, a file over the size limit)."""
        arrived = _arrival(path)  # before an anonymised copy replaces the file
        if replacement is not None:
            # Write the anonymised content first; the original goes only after that.
            anonymised = path.with_name(f".{path.name}.anonym.part")
            inbox_files.write_private(anonymised, replacement)
            os.replace(anonymised, path)
            raw = replacement
        target = inbox_files.quarantine(path, self.inbox, problem.reason_sv, problem.reason_en)
        summary.quarantined += 1
        with self.database.transaction() as session:
            self._alarm_for_quarantined(session, target, raw, problem, kind=kind, source=source,
                                        arrived=arrived)

    def _alarm_for_quarantined(
        self, session, target: Path, raw: bytes | None, problem: Unreadable, *, kind: str,  # type: ignore[no-untyped-def]
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
                if inbox_files.display_name(path.name) != path.name:
                    # Put there by hand with a name that cannot be stored: made printable.
                    printable = inbox_files.quarantine(path, self.inbox, "Filen ligger i karantän.",
                                                       "The file is in quarantine.")
                    path, relative = printable, str(printable.relative_to(self.inbox))
                # Bounded and never through a link: a folder, a link or a huge file put
                # here gets its alarm without being read (it used to crash every run).
                sidecar = path.with_name(path.name + inbox_files.SIDECAR_SUFFIX)
                reason = inbox_files.read_bounded(sidecar) or b""
                problem = Unreadable(
                    reason.decode("utf-8", "replace").strip() or "Filen ligger i karantän.",
                    "", None)
                self._alarm_for_quarantined(session, path, inbox_files.read_bounded(path),
                                            problem, kind=alarms.UNREADABLE_FILE, source=None,
                                            arrived=_arrival(path))

    def _refresh_gaps(self, session, actor: Actor, now: datetime) -> None:  # type: ignore[no-untyped-def]
        """One missing-submission alarm for every plausible hole in a source's sequence
        (a range of numbers is one alarm); closed by itself when the hole is filled."""
        for source in session.execute(select(ImportSource)).scalars():
            seen = list(session.execute(
                select(Report.sequence).distinct().where(Report.source == source.name,
                                                         Report.sequence.is_not(None))
                .order_by(Report.sequence)
            ).scalars())
            acknowledged = [
                _gap_of(key) for key in session.execute(
                    select(Alarm.key).where(Alarm.kind == alarms.MISSING_SUBMISSION,
                                            Alarm.source == source.name,
                                            Alarm.closed_at.is_not(None),
                                            Alarm.closed_by_id.is_not(None))
                ).scalars()
            ]
            current = set()
            for first, last in _gaps(seen):
                key = _gap_key(source.name, first, last)
                current.add(key)
                if any(a is not None and a[0] <= first and last <= a[1] for a in acknowledged):
                    continue
                following = seen[bisect.bisect_right(seen, last)]
                numbers = (f"nummer {first}" if first == last
                           else f"nummer {first}–{last} ({last - first + 1} st.)")
                alarms.open_alarm(
                    session, actor, kind=alarms.MISSING_SUBMISSION, key=key,
                    source=source.name, now=now,
                    detail=(f"Inlämning {numbers} från {source.name} har inte kommit, "
                            f"men nummer {following} har. Kontakta e-tjänstens förvaltare."),
                )
            open_gaps = session.execute(
                select(Alarm).where(Alarm.kind == alarms.MISSING_SUBMISSION,
                                    Alarm.source == source.name, Alarm.closed_at.is_(None))
            ).scalars().all()
            for alarm in open_gaps:
                if alarm.key in current:
                    continue
                gap = _gap_of(alarm.key)
                reason = (f"Inlämning nummer {gap[0]} har kommit." if gap and gap[0] == gap[1]
                          else "Inlämningar i luckan har kommit; det som fortfarande saknas "
                               "har ett eget larm.")
                alarms.close_alarm(session, actor, alarm, now=now, by_person=False, reason=reason)


def _gaps(seen: list[int]) -> Iterator[tuple[int, int]]:
    """The holes (first, last missing) between consecutive numbers, the implausible ones left out."""
    for lower, upper in pairwise(seen):
        if 1 < upper - lower <= MAX_PLAUSIBLE_GAP + 1:
            yield lower + 1, upper - 1


def _gap_key(source: str, first: int, last: int) -> str:
    # A single number keeps the key it always had ("source:122").
    return f"{source}:{first}" if first == last else f"{source}:{first}-{last}"


def _gap_of(key: str) -> tuple[int, int] | None:
    numbers = key.rsplit(":", 1)[-1]
    first, _, last = numbers.partition("-")
    try:
        return int(first), int(last or first)
    except ValueError:
        return None
