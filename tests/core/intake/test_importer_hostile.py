"""Hostile inbox files (issue 13): one bad file never blocks the others, nothing in the inbox
is followed or read that is not a regular file, and a failing importer is an open alarm."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from sqlalchemy.orm import undefer

from mottagning import cli
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied
from mottagning.intake import importer as importer_module
from mottagning.intake.alarms import list_open_alarms
from mottagning.intake.importer import Importer
from mottagning.intake.parse import MAX_FILE_BYTES, MAX_NESTING, parse_submission
from mottagning.intake.quarantine import read_quarantined
from mottagning.intake.submission import Unreadable
from mottagning.models import Alarm, Report
from tests.conftest import FIXED_NOW
from tests.core.inbox_factory import DATA, submission, write

DANGER = "Akut: barnet är ensamt hemma och skadat."


def run(database: Database, inbox: Path):  # type: ignore[no-untyped-def]
    return Importer(database, inbox, clock=lambda: FIXED_NOW).run_once()


def danger_report(sequence: int, **changes) -> dict:  # type: ignore[no-untyped-def]
    document = submission(sequence, **changes)
    document["concern"]["immediate_danger"] = True
    document["concern"]["description"] = DANGER
    return document


def registered_ids(database: Database) -> set[str]:
    with database.transaction() as session:
        return set(session.execute(select(Report.submission_id)).scalars())


def open_alarms(database: Database) -> list[Alarm]:
    with database.transaction() as session:
        rows = session.execute(select(Alarm).where(Alarm.closed_at.is_(None))
                               .options(undefer(Alarm.raw_content))).scalars().all()
        session.expunge_all()
        return list(rows)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


# --- one file never stops intake --------------------------------------------------------


def test_submitted_at_in_year_one_is_registered_with_a_warning(database: Database, inbox: Path) -> None:
    write(inbox, "1.json", submission(1, submitted_at="0001-01-01T00:00:00+00:00"))
    write(inbox, "2.json", danger_report(2))
    summary = run(database, inbox)
    assert summary.registered == 2 and summary.warnings == 1 and summary.quarantined == 0
    with database.transaction() as session:
        received = session.execute(
            select(Report.received_at).where(Report.sequence == 1)).scalar_one()
    assert received.year == FIXED_NOW.year


@pytest.mark.parametrize("size", [50 * 1024 * 1024, 1_100_000_000])
def test_file_over_the_size_limit_is_quarantined_with_its_real_size_unread(
    database: Database, inbox: Path, size: int
) -> None:
    with (inbox / "stor.json").open("wb") as file:
        file.truncate(size)  # sparse: costs no disk
    write(inbox, "2.json", danger_report(2))
    first = run(database, inbox)
    assert first.registered == 1 and first.quarantined == 1
    shown = f"{size / (1024 * 1024):.1f} MiB"
    sidecar = (inbox / "karantan" / "stor.json.error.txt").read_text(encoding="utf-8")
    assert shown in sidecar and "25.0 MiB" not in sidecar
    [alarm] = open_alarms(database)
    assert alarm.raw_content is None
    # The next run (which used to crash adopting the file) finds it and goes on.
    write(inbox, "3.json", submission(3))
    second = run(database, inbox)
    assert second.registered == 1 and second.alarms_open == 1


def test_reading_never_goes_past_the_size_limit(inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that grows after its size was checked is still read only to the limit."""
    from mottagning.intake import inbox as inbox_files

    path = inbox / "waxing.json"
    path.write_bytes(b"{}")
    real_fstat = os.fstat
    calls = []

    def fstat_before_growth(descriptor):  # type: ignore[no-untyped-def]
        info = real_fstat(descriptor)
        if not calls:
            calls.append(1)
            with path.open("ab") as file:
                file.truncate(MAX_FILE_BYTES * 3)
        return info

    monkeypatch.setattr(inbox_files.os, "fstat", fstat_before_growth)
    outcome, raw = inbox_files.read_entry(path, now=FIXED_NOW)
    assert isinstance(outcome, Unreadable) and "för stor" in outcome.reason_sv and raw is None
    assert "75.0 MiB" in outcome.reason_sv


def test_a_huge_sequence_jump_is_a_warning_not_an_alarm_per_number(
    database: Database, inbox: Path
) -> None:
    write(inbox, "1.json", submission(1))
    write(inbox, "2.json", danger_report(20001))
    write(inbox, "3.json", submission(3, source="etjanst-b"))
    write(inbox, "4.json", submission(10**15, source="etjanst-b"))
    summary = run(database, inbox)
    assert summary.registered == 4
    assert summary.warnings == 2
    assert summary.alarms_open == 0
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(Alarm)).scalar_one() == 0


def test_a_plausible_gap_is_one_alarm_for_the_whole_range_and_closes_piece_by_piece(
    database: Database, inbox: Path
) -> None:
    write(inbox, "1.json", submission(1))
    write(inbox, "500.json", submission(500))
    assert run(database, inbox).alarms_open == 1
    [alarm] = open_alarms(database)
    assert alarm.key == "etjanst-test:2-499" and "2–499" in alarm.detail
    write(inbox, "250.json", submission(250))
    run(database, inbox)
    assert sorted(a.key for a in open_alarms(database)) == [
        "etjanst-test:2-249", "etjanst-test:251-499"]


def test_nesting_check_is_linear_on_a_long_string_of_escaped_quotes() -> None:
    hostile = b'{"format": "' + b'\\"' * 1_000_000  # 2 MB, never closed
    started = time.monotonic()
    outcome = parse_submission(hostile, file_name="q.json", received_at=FIXED_NOW, now=FIXED_NOW)
    assert isinstance(outcome, Unreadable)
    assert time.monotonic() - started < 10  # quadratic took about half an hour


def test_nesting_check_still_counts_brackets_outside_strings_only() -> None:
    deep = b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1)
    in_text = json.dumps({"a": "[" * 100 + '\\"' + "{" * 100}).encode()
    outcome = parse_submission(deep, file_name="d.json", received_at=FIXED_NOW, now=FIXED_NOW)
    assert isinstance(outcome, Unreadable) and "nästlad" in outcome.reason_sv
    text_outcome = parse_submission(in_text, file_name="t.json", received_at=FIXED_NOW, now=FIXED_NOW)
    assert "nästlad" not in text_outcome.reason_sv  # type: ignore[union-attr]


def test_file_name_with_a_non_utf8_byte_is_quarantined_under_a_printable_name(
    database: Database, inbox: Path
) -> None:
    bad = os.path.join(os.fsencode(inbox), b"trasig\xff\x1b[2J.json")
    with open(bad, "wb") as file:
        file.write(b"<html>502</html>")
    good = os.path.join(os.fsencode(inbox), b"bra\xfe.json")
    with open(good, "wb") as file:
        file.write(json.dumps(danger_report(1)).encode())
    summary = run(database, inbox)
    assert summary.registered == 1 and summary.quarantined == 1
    names = sorted(p.name for p in (inbox / "karantan").iterdir())
    assert names == ["trasig\\xff\\x1b[2J.json", "trasig\\xff\\x1b[2J.json.error.txt"]
    [alarm] = open_alarms(database)
    assert alarm.quarantine_file == "karantan/trasig\\xff\\x1b[2J.json"
    assert "\x1b" not in alarm.detail
    assert run(database, inbox).alarms_open == 1  # adopted, not duplicated


def test_a_directory_inside_karantan_gets_an_alarm_and_intake_goes_on(
    database: Database, inbox: Path
) -> None:
    (inbox / "karantan" / "mapp.json").mkdir(parents=True)
    write(inbox, "1.json", danger_report(1))
    summary = run(database, inbox)
    assert summary.registered == 1
    [alarm] = open_alarms(database)
    assert alarm.kind == "unreadable_file" and alarm.raw_content is None


def test_an_unexpected_exception_quarantines_that_file_and_the_run_goes_on(
    database: Database, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer_module.register_report

    def fails_for_two(session, actor, report, **kwargs):  # type: ignore[no-untyped-def]
        if report.sequence == 2:
            raise RuntimeError("a bug the tests did not foresee")
        return real(session, actor, report, **kwargs)

    monkeypatch.setattr(importer_module, "register_report", fails_for_two)
    for sequence in (1, 2, 3):
        write(inbox, f"{sequence}.json", danger_report(sequence))
    summary = run(database, inbox)
    assert summary.registered == 2 and summary.quarantined == 1
    assert registered_ids(database) == {"ETJANST-TEST-000001", "ETJANST-TEST-000003"}
    [alarm] = [a for a in open_alarms(database) if a.kind != "missing_submission"]
    assert alarm.kind == "unreadable_file" and "RuntimeError" in alarm.detail
    assert alarm.raw_content and b"ETJANST-TEST-000002" in alarm.raw_content
    assert (inbox / "karantan" / "2.json").exists()


def test_when_even_quarantine_fails_an_importer_failure_alarm_fails_alarms_check(
    database: Database, inbox: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("broken")

    monkeypatch.setattr(importer_module, "register_report", broken)
    monkeypatch.setattr(importer_module.inbox_files, "quarantine", broken)
    write(inbox, "1.json", submission(1))
    summary = run(database, inbox)
    assert summary.alarms_open == 1
    [alarm] = open_alarms(database)
    assert alarm.kind == "importer_failure" and "1.json" in alarm.detail
    assert (inbox / "1.json").exists()  # left where it was, tried again next run
    assert run(database, inbox).alarms_open == 1  # one alarm per file, not one per run
    if database.embedded:
        assert cli.main(["--db", database.url, "alarms", "--check"]) == 2
    monkeypatch.undo()
    fixed = run(database, inbox)  # the bug is fixed: the file is imported, the alarm closes
    assert fixed.registered == 1 and fixed.alarms_open == 0


def test_a_failing_step_of_the_run_is_an_importer_failure_alarm(
    database: Database, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("gap detection broke")

    monkeypatch.setattr(Importer, "_refresh_gaps", broken)
    write(inbox, "1.json", danger_report(1))
    summary = run(database, inbox)
    assert summary.registered == 1 and summary.alarms_open == 1
    assert [a.kind for a in open_alarms(database)] == ["importer_failure"]


# --- links and special files are never followed -------------------------------------------


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "environ"
    secret.write_text('{"MOTTAGNING_DB_KEY": "topphemlig-nyckel"}', encoding="utf-8")
    return secret


def _assert_nothing_read(database: Database, inbox: Path) -> None:
    for alarm in open_alarms(database):
        assert alarm.raw_content is None
        assert "topphemlig" not in alarm.detail
    for path in (inbox / "karantan").iterdir():
        # The link itself is moved, never copied: only sidecars and real files are ours.
        if path.is_file() and not path.is_symlink() and path.stat().st_nlink == 1:
            assert "topphemlig" not in path.read_text(encoding="utf-8")


def test_a_symlink_in_the_inbox_is_quarantined_by_name_without_being_followed(
    database: Database, inbox: Path, tmp_path: Path
) -> None:
    (inbox / "env.json").symlink_to(_secret(tmp_path))
    (inbox / "mapp.json").symlink_to(tmp_path)
    write(inbox, "1.json", danger_report(1))
    summary = run(database, inbox)
    assert summary.registered == 1 and summary.quarantined == 2
    assert (inbox / "karantan" / "env.json").is_symlink()
    sidecar = (inbox / "karantan" / "env.json.error.txt").read_text(encoding="utf-8")
    assert "symbolisk länk" in sidecar
    _assert_nothing_read(database, inbox)


def test_a_fifo_and_a_hard_link_are_quarantined_without_being_read(
    database: Database, inbox: Path, tmp_path: Path
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(inbox / "fifo.json")  # opening it for reading would block the importer forever
    os.link(_secret(tmp_path), inbox / "hard.json")
    write(inbox, "1.json", danger_report(1))
    summary = run(database, inbox)
    assert summary.registered == 1 and summary.quarantined == 2
    assert "hård länk" in (inbox / "karantan" / "hard.json.error.txt").read_text(encoding="utf-8")
    _assert_nothing_read(database, inbox)


def test_only_roles_that_read_cases_read_quarantined_content(
    database: Database, inbox: Path, assistant: Actor, worker: Actor
) -> None:
    (inbox / "0.json").write_bytes(b"<html>502</html>")
    run(database, inbox)
    with database.transaction() as session:
        alarm_id = list_open_alarms(session)[0].id
        with pytest.raises(PermissionDenied):
            read_quarantined(session, assistant, alarm_id, now=FIXED_NOW)
    with database.transaction() as session:
        assert "502" in read_quarantined(session, worker, alarm_id, now=FIXED_NOW).raw_text


# --- an anonymous reporter stays anonymous in quarantine ---------------------------------

SECRETS = ("Should Not Be Kept", "070-999 99 99", "secret@example.se")


@pytest.mark.parametrize("breakage", ["no_description", "wrong_format", "no_children"])
def test_quarantined_anonymous_submission_keeps_no_reporter_identity(
    database: Database, inbox: Path, breakage: str
) -> None:
    document = json.loads((DATA / "0003-anonym-privatperson.json").read_text(encoding="utf-8"))
    if breakage == "no_description":
        del document["concern"]["description"]
    elif breakage == "wrong_format":
        document["format"] = "annat/2"
    else:
        document["children"] = []
    write(inbox, "anonym.json", document)
    assert run(database, inbox).quarantined == 1
    for path in (inbox / "karantan").iterdir():
        text = path.read_text(encoding="utf-8")
        assert not any(secret in text for secret in SECRETS), path
    [alarm] = open_alarms(database)
    assert alarm.raw_content and b"ETJ-2026-000003" in alarm.raw_content
    assert not any(secret.encode() in alarm.raw_content for secret in SECRETS)
    assert not any(secret in json.dumps(alarm.partial) for secret in SECRETS)


# --- property: a hostile file among good ones -----------------------------------------------


def _hostile_writers(tmp_path: Path):  # type: ignore[no-untyped-def]
    def year_one(folder: Path, n: int) -> None:
        write(folder, f"h{n}.json", submission(9000 + n, source="fientlig",
                                               submitted_at="0001-01-01T00:00:00+00:00"))

    def too_large(folder: Path, n: int) -> None:
        with (folder / f"h{n}.json").open("wb") as file:
            file.truncate(MAX_FILE_BYTES + 1)

    def huge_sequence(folder: Path, n: int) -> None:
        write(folder, f"h{n}.json", submission(10**15 + n, source="fientlig"))

    def quotes(folder: Path, n: int) -> None:
        (folder / f"h{n}.json").write_bytes(b'{"a": "' + b'\\"' * 100_000)

    def deep(folder: Path, n: int) -> None:
        (folder / f"h{n}.json").write_bytes(b"[" * 100_000)

    def bad_name(folder: Path, n: int) -> None:
        with open(os.path.join(os.fsencode(folder), b"h%d\xff.json" % n), "wb") as file:
            file.write(b"\xff\xfe not json")

    def symlink(folder: Path, n: int) -> None:
        (folder / f"h{n}.json").symlink_to(_secret(tmp_path))

    def directory(folder: Path, n: int) -> None:
        (folder / "karantan" / f"h{n}.json").mkdir(parents=True, exist_ok=True)

    def fifo(folder: Path, n: int) -> None:
        os.mkfifo(folder / f"h{n}.json")

    return [year_one, too_large, huge_sequence, quotes, deep, bad_name, symlink, directory, fifo]


@pytest.mark.slow
def test_every_good_file_is_registered_whatever_hostile_file_lies_among_them(
    database: Database, tmp_path: Path
) -> None:
    writers = _hostile_writers(tmp_path)
    runs = iter(range(10_000))

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(hostile=st.sampled_from(writers), good=st.integers(1, 4), position=st.integers(0, 4))
    def check(hostile, good: int, position: int) -> None:  # type: ignore[no-untyped-def]
        number = next(runs)
        folder = tmp_path / f"inbox{number}"
        folder.mkdir()
        source = f"god-{number}"
        expected = set()
        for sequence in range(1, good + 1):
            document = danger_report(sequence, source=source)
            write(folder, f"{sequence:02d}-{'a' if sequence <= position else 'z'}.json", document)
            expected.add(document["submission_id"])
        hostile(folder, number)
        summary = run(database, folder)
        assert expected <= registered_ids(database)
        assert summary.registered >= good
        assert not [p for p in folder.iterdir() if p.name.startswith(("0", "1"))]
        shutil.rmtree(folder / "arkiv", ignore_errors=True)

    check()


# --- two importers on two machines ------------------------------------------------------


def test_a_duplicate_found_only_at_commit_time_is_archived_as_a_duplicate(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another importer commits the same submission between our check and our commit."""
    other = tmp_path / "other"
    other.mkdir()
    mine = tmp_path / "mine"
    mine.mkdir()
    write(other, "1.json", danger_report(1))
    write(mine, "1.json", danger_report(1))
    real = Importer._existing
    calls = []

    def blind_first_check(session, parsed):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            run(database, other)  # the other machine wins the race meanwhile
            return None
        return real(session, parsed)

    monkeypatch.setattr(Importer, "_existing", staticmethod(blind_first_check))
    summary = run(database, mine)
    assert summary.duplicates == 1 and summary.registered == 0 and summary.quarantined == 0
    assert (mine / "arkiv" / "1.json").exists()
    assert registered_ids(database) == {"ETJANST-TEST-000001"}


# --- limits -----------------------------------------------------------------------------------


def test_a_file_about_more_than_fifty_children_is_quarantined(database: Database, inbox: Path) -> None:
    document = submission(1)
    document["children"] = [dict(document["children"][0], name=f"Barn {n}") for n in range(51)]
    write(inbox, "massa.json", document)
    write(inbox, "2.json", danger_report(2))
    summary = run(database, inbox)
    assert summary.registered == 1 and summary.quarantined == 1 and summary.queue_items_created == 1
    assert "51 barn" in (inbox / "karantan" / "massa.json.error.txt").read_text(encoding="utf-8")


def test_queue_and_alarm_lists_never_load_originals_attachments_or_raw_content(
    database: Database, inbox: Path, worker: Actor
) -> None:
    from mottagning.queue.listing import list_queue

    document = danger_report(1)
    document["attachments"] = [{"filename": "stor.pdf", "media_type": "application/pdf",
                                "content_base64": "QUJD" * 1000}]
    write(inbox, "1.json", document)
    (inbox / "0.json").write_bytes(b"<html>502</html>")
    run(database, inbox)
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", remember)
    try:
        with database.transaction() as session:
            page = list_queue(session, worker, limit=200)
            assert page.rows
            assert list_open_alarms(session)
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)
    loaded = "\n".join(statements)
    for column in ("reports.original,", "reports.original ", "attachments.content",
                   "alarms.raw_content"):
        assert column not in loaded, column


def test_a_personnummer_in_full_width_digits_is_the_same_child(
    database: Database, inbox: Path
) -> None:
    from mottagning.models import Child

    ascii_digits = submission(1)
    ascii_digits["children"][0].update(personnummer="20150312-2382", name="Ella Andersson")
    wide = submission(2)
    wide["children"][0].update(personnummer="２０１５０３１２－２３８２", name="Ella Andersson")
    write(inbox, "1.json", ascii_digits)
    write(inbox, "2.json", wide)
    summary = run(database, inbox)
    assert summary.registered == 2 and summary.warnings == 0
    with database.transaction() as session:
        assert session.execute(select(Child.personnummer)).scalars().all() == ["20150312-2382"]


def test_a_known_personnummer_with_another_name_is_not_merged_silently(
    database: Database, inbox: Path
) -> None:
    from mottagning.models import Child, QueueItem

    first = submission(1)
    first["children"][0].update(personnummer="20150312-2382", name="Ella Andersson",
                                address={"street": "Storgatan 1", "postal_code": "784 33",
                                         "city": "Borlänge"})
    second = submission(2)
    second["children"][0].update(personnummer="20150312-2382", name="Olle Svensson",
                                 address={"street": "Ringvägen 8", "postal_code": "784 40",
                                          "city": "Borlänge"})
    write(inbox, "1.json", first)
    write(inbox, "2.json", second)
    summary = run(database, inbox)
    assert summary.registered == 2 and summary.warnings == 1
    with database.transaction() as session:
        child = session.execute(select(Child)).scalar_one()
        assert (child.name, child.street) == ("Ella Andersson", "Storgatan 1")
        report = session.execute(select(Report).where(Report.sequence == 2)).scalar_one()
        text = " ".join(report.data_quality_warnings)
        assert "Olle Svensson" in text and "Ella Andersson" in text and "Ringvägen 8" in text
        assert b"Olle Svensson" in report.original
        flagged = session.execute(select(QueueItem.flag_data_quality)
                                  .where(QueueItem.report_id == report.id)).scalar_one()
    assert flagged


def test_a_new_address_is_a_proposal_a_worker_confirms_and_the_old_one_stays_in_the_history(
    database: Database, inbox: Path, worker
) -> None:
    from mottagning.intake.child_address import address_history, decide_address
    from mottagning.models import AuditEvent, Child

    first = submission(1)
    first["children"][0].update(personnummer="20150312-2382", name="Ella Andersson",
                                address={"street": "Storgatan 1", "postal_code": "784 33",
                                         "city": "Borlänge"})
    second = submission(2)
    second["children"][0].update(personnummer="20150312-2382", name="Ella Andersson",
                                 address={"street": "Ringvägen 8", "postal_code": "784 40",
                                          "city": "Borlänge"})
    write(inbox, "1.json", first)
    write(inbox, "2.json", second)
    run(database, inbox)
    with database.transaction() as session:
        child = session.execute(select(Child)).scalar_one()
        assert child.street == "Storgatan 1"  # not overwritten by the newest report
        [proposal] = address_history(session, worker, child.id)
        assert (proposal.status, proposal.address) == ("proposed", "Ringvägen 8, 784 40 Borlänge")
        decide_address(session, worker, proposal.id, confirm=True)
    with database.transaction() as session:
        child = session.execute(select(Child)).scalar_one()
        assert child.street == "Ringvägen 8"
        [decided] = address_history(session, worker, child.id)
        assert decided.status == "confirmed"
        assert decided.previous_address == "Storgatan 1, 784 33 Borlänge"
        [event] = session.execute(select(AuditEvent).where(
            AuditEvent.action == "child_address_confirmed")).scalars().all()
        assert "Ringvägen" not in str(event.details)


def test_archived_and_quarantined_files_are_readable_by_the_owner_only(
    database: Database, inbox: Path
) -> None:
    (inbox / "karantan").mkdir(mode=0o755)
    os.chmod(inbox / "karantan", 0o755)
    path = write(inbox, "1.json", submission(1))
    os.chmod(path, 0o644)
    broken = inbox / "0.json"
    broken.write_bytes(b"<html>502</html>")
    os.chmod(broken, 0o644)
    run(database, inbox)

    def mode(p: Path) -> str:
        return oct(p.stat().st_mode & 0o777)

    assert mode(inbox / "arkiv") == mode(inbox / "karantan") == "0o700"
    assert mode(inbox / "arkiv" / "1.json") == "0o600"
    assert mode(inbox / "karantan" / "0.json") == mode(inbox / "karantan" / "0.json.error.txt") == "0o600"
