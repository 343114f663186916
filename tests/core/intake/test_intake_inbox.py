"""The inbox folder: which files are taken, their order, archive, quarantine and purge."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mottagning.intake.inbox import (
    archive_submission,
    list_inbox,
    move_to_archive,
    order_for_import,
    purge_archive,
    quarantine,
    read_submission,
)
from mottagning.intake.parse import MAX_FILE_BYTES
from mottagning.intake.submission import ParsedSubmission, Unreadable
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def samples_dir() -> Path:
    """The sample inbox of the intake format, copied into tests/data/."""
    return SAMPLES


def copy_samples(inbox: Path) -> Path:
    inbox.mkdir(exist_ok=True)
    for sample in samples_dir().glob("*.json"):
        shutil.copyfile(sample, inbox / sample.name)
    return inbox


def submission(source: str, sequence, submission_id: str) -> bytes:
    document = json.loads((samples_dir() / "0001-skola-forsummelse.json").read_bytes())
    document.update(source=source, sequence=sequence, submission_id=submission_id)
    return json.dumps(document).encode()


def test_list_inbox_takes_finished_json_files_only(tmp_path):
    for name in ["b.json", "A.JSON", ".hidden.json", "c.json.tmp", "d.part", "e.txt"]:
        (tmp_path / name).write_text("{}")
    for folder in ["arkiv", "karantan", "other.json"]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.json").write_text("{}")
    assert [p.name for p in list_inbox(tmp_path)] == ["A.JSON", "b.json"]


def test_order_is_by_source_and_sequence_then_the_rest_by_name(tmp_path):
    files = {
        "z-first.json": submission("alfa", 1, "A1"),
        "a-second.json": submission("alfa", 2, "A2"),
        "m-beta.json": submission("beta", 1, "B1"),
        "b-no-sequence.json": submission("alfa", "tre", "A3"),
        "0-broken.json": b"<html>502</html>",
        "c-alfa-ten.json": submission("alfa", 10, "A10"),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    ordered = order_for_import(list_inbox(tmp_path))
    assert [p.name for p in ordered] == [
        "z-first.json", "a-second.json", "c-alfa-ten.json", "m-beta.json",
        "0-broken.json", "b-no-sequence.json",
    ]


def test_order_puts_a_vanished_file_among_the_unreadable(tmp_path):
    ghost = tmp_path / "ghost.json"
    assert order_for_import([ghost]) == [ghost]


def test_read_submission_takes_the_modification_time_as_receipt(tmp_path):
    path = copy_samples(tmp_path) / "0001-skola-forsummelse.json"
    received = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
    os.utime(path, (received.timestamp(), received.timestamp()))
    result = read_submission(path, now=NOW)
    assert isinstance(result, ParsedSubmission)
    assert result.received_at == received
    assert result.late_delivery == received - result.submitted_at


def test_read_submission_refuses_a_huge_file(tmp_path):
    path = tmp_path / "stor.json"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES * 4)
    result = read_submission(path, now=NOW)
    assert isinstance(result, Unreadable) and "för stor" in result.reason_sv


def test_archive_keeps_every_delivery_with_numbered_names(tmp_path):
    names = []
    for content in [b"1", b"2", b"3"]:
        path = tmp_path / "0001.json"
        path.write_bytes(content)
        names.append(move_to_archive(path, tmp_path).name)
        assert not path.exists()
    assert names == ["0001.json", "0001.1.json", "0001.2.json"]
    assert (tmp_path / "arkiv" / "0001.2.json").read_bytes() == b"3"


def test_archive_counts_from_archiving_not_delivery(tmp_path):
    path = tmp_path / "0001.json"
    path.write_bytes(b"{}")
    os.utime(path, (0, 0))
    archived = move_to_archive(path, tmp_path)
    assert archived.stat().st_mtime > datetime(2020, 1, 1, tzinfo=UTC).timestamp()


def test_archive_with_replacement_writes_it_and_removes_the_original(tmp_path):
    path = tmp_path / "anonym.json"
    path.write_bytes(b'{"name": "Should Not Be Kept"}')
    archived = archive_submission(path, tmp_path, replacement_bytes=b'{"name": null}')
    assert archived == tmp_path / "arkiv" / "anonym.json"
    assert archived.read_bytes() == b'{"name": null}'
    assert not path.exists()
    assert sorted(p.name for p in (tmp_path / "arkiv").iterdir()) == ["anonym.json"]


def test_quarantine_writes_a_bilingual_sidecar_and_keeps_the_file(tmp_path):
    path = tmp_path / "0006-inte-json.json"
    path.write_bytes(b"<html>502</html>")
    moved = quarantine(path, tmp_path, "Filen är inte giltig JSON.", "The file is not valid JSON.")
    assert moved == tmp_path / "karantan" / "0006-inte-json.json"
    assert moved.read_bytes() == b"<html>502</html>"
    sidecar = (tmp_path / "karantan" / "0006-inte-json.json.error.txt").read_text(encoding="utf-8")
    assert "Filen är inte giltig JSON." in sidecar and "The file is not valid JSON." in sidecar
    assert not path.exists()


def test_quarantine_never_overwrites_an_earlier_file(tmp_path):
    for content in [b"first", b"second"]:
        path = tmp_path / "x.json"
        path.write_bytes(content)
        quarantine(path, tmp_path, "Trasig.", "Broken.")
    folder = tmp_path / "karantan"
    assert sorted(p.name for p in folder.iterdir()) == [
        "x.1.json", "x.1.json.error.txt", "x.json", "x.json.error.txt",
    ]
    assert (folder / "x.json").read_bytes() == b"first"


def test_quarantine_after_a_crash_replaces_the_orphaned_sidecar(tmp_path):
    folder = tmp_path / "karantan"
    folder.mkdir()
    (folder / "x.json.error.txt").write_text("halvfärdig")
    path = tmp_path / "x.json"
    path.write_bytes(b"{")
    moved = quarantine(path, tmp_path, "Trasig.", "Broken.")
    assert moved.name == "x.json"
    assert "Trasig." in (folder / "x.json.error.txt").read_text(encoding="utf-8")


def test_purge_removes_old_archive_files_only(tmp_path):
    archive, held = tmp_path / "arkiv", tmp_path / "karantan"
    archive.mkdir()
    held.mkdir()
    old, fresh, kept = archive / "old.json", archive / "fresh.json", held / "old.json"
    for path in [old, fresh, kept]:
        path.write_bytes(b"{}")
    long_ago = (NOW - timedelta(days=31)).timestamp()
    for path in [old, kept]:
        os.utime(path, (long_ago, long_ago))
    recent = (NOW - timedelta(days=29)).timestamp()
    os.utime(fresh, (recent, recent))
    assert purge_archive(tmp_path, older_than=timedelta(days=30), now=NOW) == [old]
    assert fresh.exists() and kept.exists() and not old.exists()


def test_purge_without_archive_does_nothing(tmp_path):
    assert purge_archive(tmp_path, older_than=timedelta(days=30), now=NOW) == []


def test_sample_inbox_ends_up_archived_or_quarantined_without_the_anonymous_identity(tmp_path):
    inbox = copy_samples(tmp_path / "inkorg")
    for path in order_for_import(list_inbox(inbox)):
        result = read_submission(path, now=NOW)
        if isinstance(result, Unreadable):
            quarantine(path, inbox, result.reason_sv, result.reason_en)
        else:
            replacement = result.stored_original if result.reporter.anonymous else None
            archive_submission(path, inbox, replacement_bytes=replacement)
    assert list_inbox(inbox) == []
    assert sorted(p.name for p in (inbox / "karantan").iterdir()) == [
        "0006-inte-json.json", "0006-inte-json.json.error.txt",
    ]
    archived = sorted((inbox / "arkiv").iterdir())
    assert len(archived) == 7
    everything = b"".join(p.read_bytes() for p in archived)
    for secret in [b"Should Not Be Kept", b"070-999 99 99", b"secret@example.se"]:
        assert secret not in everything
