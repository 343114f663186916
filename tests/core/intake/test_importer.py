"""The importer registers every submission exactly once and never loses a file."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake import importer as importer_module
from mottagning.intake.alarms import acknowledge_alarm, list_open_alarms
from mottagning.intake.importer import Importer
from mottagning.intake.lock import InboxBusy, InboxLock
from mottagning.models import Alarm, AuditEvent, QueueItem, Report
from tests.core.inbox_factory import fill_inbox, submission, write


@pytest.fixture
def sample_inbox(tmp_path: Path, samples_dir: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox, ignore=shutil.ignore_patterns("README*"))
    return inbox


def clock_at(now):  # type: ignore[no-untyped-def]
    return lambda: now


def test_sample_inbox_gives_the_totals_of_its_readme(database: Database, sample_inbox: Path, now) -> None:
    summary = Importer(database, sample_inbox, clock=clock_at(now)).run_once()
    assert summary.as_json() == {
        "files_seen": 8, "registered": 6, "queue_items_created": 7, "duplicates": 1,
        "quarantined": 1, "warnings": 1, "alarms_open": 2,
    }
    with database.transaction() as session:
        kinds = sorted(a.kind for a in list_open_alarms(session))
        danger = session.execute(select(QueueItem).where(QueueItem.flag_immediate_danger)).scalars().all()
        violence = session.execute(select(func.count()).where(QueueItem.flag_violence)).scalar_one()
        feedback = session.execute(
            select(Report.reporter_wants_feedback).where(Report.submission_id == "ETJ-2026-000001")
        ).scalar_one()
        warned = [i.child.name for i in session.execute(
            select(QueueItem).where(QueueItem.flag_data_quality)).scalars()]
        late = session.execute(select(Report.late_delivery_note)).scalars().all()
    assert kinds == ["missing_submission", "unreadable_file"]
    assert len(danger) == 1 and danger[0].flag_violence
    assert violence == 3
    assert feedback is True
    assert warned == ["Vera Nilsson"]
    assert all(note and "Sen leverans" in note for note in late)
    assert sorted(p.name for p in (sample_inbox / "karantan").iterdir()) == [
        "0006-inte-json.json", "0006-inte-json.json.error.txt"]
    sidecar = (sample_inbox / "karantan" / "0006-inte-json.json.error.txt").read_text(encoding="utf-8")
    assert "JSON" in sidecar
    assert len(list((sample_inbox / "arkiv").iterdir())) == 7
    assert [p.name for p in sample_inbox.iterdir() if p.is_file()] == []


def test_importing_twice_registers_nothing_the_second_time(database: Database, sample_inbox: Path, now) -> None:
    Importer(database, sample_inbox, clock=clock_at(now)).run_once()
    for path in (sample_inbox / "arkiv").iterdir():
        shutil.copy(path, sample_inbox / path.name)
    again = Importer(database, sample_inbox, clock=clock_at(now)).run_once()
    assert again.registered == 0 and again.duplicates == 7
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 6


def test_anonymous_reporter_identity_is_stored_nowhere(
    database: Database, sample_inbox: Path, now
) -> None:
    Importer(database, sample_inbox, clock=clock_at(now)).run_once()
    secrets = ("Should Not Be Kept", "070-999 99 99", "secret@example.se")
    with database.transaction() as session:
        report = session.execute(
            select(Report).where(Report.submission_id == "ETJ-2026-000003")
        ).scalar_one()
        stored = [report.original.decode("utf-8"), report.description, str(report.reporter_name)]
        stored += [json.dumps(e.details) for e in session.execute(select(AuditEvent)).scalars()]
    archived = (sample_inbox / "arkiv" / "0003-anonym-privatperson.json").read_text(encoding="utf-8")
    for text in [*stored, archived]:
        for secret in secrets:
            assert secret not in text
    if database.embedded:
        database.dispose()
        path = Path(database.engine.url.database)
        for file in path.parent.glob(path.name + "*"):
            data = file.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, file


def test_crash_between_commit_and_move_does_not_register_twice(
    database: Database, tmp_path: Path, now, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    fill_inbox(inbox, 3)

    def power_cut(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("power cut after commit")

    monkeypatch.setattr(importer_module.inbox_files, "archive_submission", power_cut)
    with pytest.raises(SystemExit):
        Importer(database, inbox, clock=clock_at(now)).run_once()
    monkeypatch.undo()
    summary = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert summary.registered == 2 and summary.duplicates == 1
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 3


def test_conflicting_duplicate_is_quarantined_with_an_alarm(database: Database, tmp_path: Path, now) -> None:
    inbox = tmp_path / "inbox"
    fill_inbox(inbox, 1)
    Importer(database, inbox, clock=clock_at(now)).run_once()
    changed = submission(1)
    changed["concern"]["description"] = "En helt annan text."
    write(inbox, "again.json", changed)
    summary = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert summary.quarantined == 1 and summary.registered == 0
    with database.transaction() as session:
        kinds = [a.kind for a in list_open_alarms(session)]
    assert kinds == ["conflicting_duplicate"]
    assert (inbox / "karantan" / "again.json").exists()


def test_gap_alarm_closes_when_the_missing_submission_arrives(
    database: Database, tmp_path: Path, now
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sequence in (1, 2, 4):
        write(inbox, f"{sequence}.json", submission(sequence))
    first = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert first.alarms_open == 1
    write(inbox, "3.json", submission(3))
    second = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert second.alarms_open == 0


def test_acknowledged_gap_needs_a_reason_and_is_not_raised_again(
    database: Database, tmp_path: Path, now, worker: Actor
) -> None:
    from mottagning.errors import ValidationError

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sequence in (1, 3):
        write(inbox, f"{sequence}.json", submission(sequence))
    Importer(database, inbox, clock=clock_at(now)).run_once()
    with database.transaction() as session:
        alarm_id = list_open_alarms(session)[0].id
        with pytest.raises(ValidationError):
            acknowledge_alarm(session, worker, alarm_id, reason=" ", now=now)
    with database.transaction() as session:
        acknowledge_alarm(session, worker, alarm_id, reason="Nummer 2 var ett test hos leverantören.", now=now)
    write(inbox, "4.json", submission(4))
    summary = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert summary.alarms_open == 0
    with database.transaction() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "alarm_closed" in actions


def test_silent_source_raises_an_alarm_and_closes_on_delivery(
    database: Database, tmp_path: Path, now
) -> None:
    inbox = tmp_path / "inbox"
    fill_inbox(inbox, 1)
    Importer(database, inbox, clock=clock_at(now)).run_once()
    later = now + timedelta(hours=73)
    quiet = Importer(database, inbox, clock=clock_at(later)).run_once()
    assert quiet.alarms_open == 1
    with database.transaction() as session:
        assert session.execute(select(Alarm.kind)).scalar_one() == "silent_source"
    write(inbox, "2.json", submission(2))
    back = Importer(database, inbox, clock=clock_at(later)).run_once()
    assert back.alarms_open == 0


def test_files_still_being_written_are_left_alone(database: Database, tmp_path: Path, now) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (".hidden.json", "x.json.part", "y.json.tmp"):
        write(inbox, name, submission(1))
    summary = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert summary.files_seen == 0
    assert sorted(p.name for p in inbox.iterdir()) == [".hidden.json", "x.json.part", "y.json.tmp"]


def test_quarantined_file_without_alarm_gets_one(database: Database, tmp_path: Path, now) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "karantan").mkdir(parents=True)
    (inbox / "karantan" / "orphan.json").write_text("{", encoding="utf-8")
    summary = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert summary.alarms_open == 1


def test_only_one_importer_works_an_inbox(tmp_path: Path) -> None:
    with InboxLock(tmp_path), pytest.raises(InboxBusy):
        InboxLock(tmp_path).acquire()
    with InboxLock(tmp_path):
        pass


def test_anonymous_duplicate_and_conflict_keep_no_identity_on_disk(
    database: Database, tmp_path: Path, samples_dir: Path, now
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    anonymous = json.loads((samples_dir / "0003-anonym-privatperson.json").read_text(encoding="utf-8"))
    write(inbox, "a.json", anonymous)
    Importer(database, inbox, clock=clock_at(now)).run_once()
    write(inbox, "again.json", anonymous)
    conflicting = json.loads(json.dumps(anonymous))
    conflicting["concern"]["description"] = "Ändrad text."
    write(inbox, "conflict.json", conflicting)
    summary = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert summary.duplicates == 1 and summary.quarantined == 1
    for file in [*(inbox / "arkiv").iterdir(), *(inbox / "karantan").iterdir()]:
        assert "Should Not Be Kept" not in file.read_text(encoding="utf-8"), file
    with database.transaction() as session:
        raw = session.execute(select(Alarm.raw_content)).scalar_one()
    assert b"Should Not Be Kept" not in raw


def test_alarms_check_reports_a_broken_assessment_form(tmp_path: Path, monkeypatch, capsys) -> None:
    from mottagning import cli
    from mottagning.paths import RESOURCES

    resources = tmp_path / "resources"
    shutil.copytree(RESOURCES, resources)
    released = next((resources / "forms").glob("skyddsbedomning-*.toml"))
    released.write_text(released.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    monkeypatch.setattr("mottagning.paths.RESOURCES", resources)
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert cli.main(["--db", db, "alarms", "--check"]) == 2
    assert "Fel i bedömningsformulär" in capsys.readouterr().out


def test_a_cancelled_import_stops_between_files_and_keeps_what_it_registered(
    database: Database, tmp_path: Path, now,
) -> None:
    inbox = tmp_path / "inbox"
    fill_inbox(inbox, 5)
    reported: list[tuple[int, int, str]] = []

    def cancel_after_two() -> bool:
        return len(reported) >= 3  # asked right after the third file was announced

    summary = Importer(database, inbox, clock=clock_at(now)).run_once(
        progress=lambda done, total, label: reported.append((done, total, label)),
        should_cancel=cancel_after_two)
    assert reported[:3] == [(0, 5, "00001.json"), (1, 5, "00002.json"), (2, 5, "00003.json")]
    assert (summary.files_seen, summary.registered) == (2, 2)
    assert sorted(p.name for p in (inbox / "arkiv").iterdir()) == ["00001.json", "00002.json"]
    assert sorted(p.name for p in inbox.glob("*.json")) == ["00003.json", "00004.json", "00005.json"]
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 2

    rest = Importer(database, inbox, clock=clock_at(now)).run_once()
    assert (rest.files_seen, rest.registered) == (3, 3)
