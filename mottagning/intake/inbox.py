"""The inbox folder: which files to take, in what order, and where they go afterwards.

A file leaves the inbox only in two ways, both by atomic rename within the same volume:
into `arkiv/` after its content is committed to the database, or into `karantan/` with an
error sidecar. Nothing here deletes a file except `purge_archive`, and that never looks at
`karantan/`. Only one importer works an inbox at a time (the caller holds the lock), so
choosing a free name and then renaming to it has no competitor.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mottagning.intake.parse import MAX_FILE_BYTES, order_fields, parse_submission
from mottagning.intake.submission import ParsedSubmission, Unreadable

ARCHIVE_DIR = "arkiv"
QUARANTINE_DIR = "karantan"
SIDECAR_SUFFIX = ".error.txt"


def list_inbox(inbox: Path) -> list[Path]:
    """The finished submission files directly in `inbox`, sorted by name.

    Taken: regular files ending in `.json` (any letter case: e-services on Windows write
    `.JSON`). Left alone: names starting with `.` or ending in `.tmp`/`.part` (still being
    written) and everything in subfolders such as `arkiv/` and `karantan/`.
    """
    return sorted(
        (
            path for path in inbox.iterdir()
            if path.is_file()
            and path.name.lower().endswith(".json")
            and not path.name.startswith(".")
            and not path.name.lower().endswith((".tmp", ".part"))
        ),
        key=lambda path: path.name,
    )


def order_for_import(paths: Iterable[Path]) -> list[Path]:
    """`paths` in the order to import them.

    First every file whose `source` and integer `sequence` can be read, by source, then
    sequence, then name, so a source's submissions register in the order it sent them
    and gap detection sees them rising. Then all others (unreadable files and files
    without a usable sequence) by name. Each file is read once here; the caller reads it
    again when importing, so that the whole inbox never has to be in memory at once.
    """
    numbered: list[tuple[str, int, str, Path]] = []
    others: list[Path] = []
    for path in paths:
        source, sequence = _peek_order_fields(path)
        if source is not None and sequence is not None:
            numbered.append((source, sequence, path.name, path))
        else:
            others.append(path)
    return [entry[3] for entry in sorted(numbered)] + sorted(others, key=lambda p: p.name)


def read_submission(path: Path, *, now: datetime) -> ParsedSubmission | Unreadable:
    """Read and parse one inbox file; its modification time is when it was received.

    Reads at most one byte more than the size limit, so a huge file is refused without
    being loaded. An `OSError` (the file vanished, no permission) is raised: that is a
    fault of the surroundings, not of the file, and must not send it to quarantine.
    """
    received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    with path.open("rb") as file:
        raw = file.read(MAX_FILE_BYTES + 1)
    return parse_submission(raw, file_name=path.name, received_at=received_at, now=now)


def move_to_archive(path: Path, inbox: Path) -> Path:
    """Move an imported file into `inbox/arkiv/` unchanged; returns its new path.

    A name already there gets a numbered suffix (`name.1.json`). The file's modification
    time is set to now, so that `purge_archive` counts from archiving, not from delivery
    (the delivery time is in the database).
    """
    return archive_submission(path, inbox, replacement_bytes=None)


def archive_submission(path: Path, inbox: Path, *, replacement_bytes: bytes | None) -> Path:
    """Archive an imported file, as received or (for an anonymous reporter) as `replacement_bytes`.

    With a replacement, the new content is written to a temporary file in `arkiv/`,
    synced and renamed into place before the original is removed, so a crash leaves
    either the original in the inbox (a duplicate on the next run) or the archived copy,
    never neither. Pass `ParsedSubmission.stored_original` for an anonymous reporter, also
    when the file turned out to be a duplicate.
    """
    archive = inbox / ARCHIVE_DIR
    archive.mkdir(exist_ok=True)
    target = _free_name(archive, path.name)
    if replacement_bytes is None:
        os.rename(path, target)
        os.utime(target)
        _fsync_directory(archive)
    else:
        _write_atomically(target, replacement_bytes)
        _fsync_directory(archive)
        path.unlink()
    _fsync_directory(path.parent)
    return target


def quarantine(path: Path, inbox: Path, reason_sv: str, reason_en: str) -> Path:
    """Move a file into `inbox/karantan/` with a sidecar `<name>.error.txt`; returns its new path.

    The sidecar is written first: a crash in between leaves the file in the inbox, to be
    quarantined again on the next run, and overwrites the orphaned sidecar then. The
    file itself is kept byte for byte and never deleted.
    """
    quarantine_dir = inbox / QUARANTINE_DIR
    quarantine_dir.mkdir(exist_ok=True)
    target = _free_name(quarantine_dir, path.name)
    sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
    _write_atomically(sidecar, _sidecar_text(path.name, reason_sv, reason_en).encode("utf-8"))
    _fsync_directory(quarantine_dir)
    os.rename(path, target)
    _fsync_directory(quarantine_dir)
    _fsync_directory(path.parent)
    return target


def purge_archive(inbox: Path, *, older_than: timedelta, now: datetime) -> list[Path]:
    """Delete files in `inbox/arkiv/` archived more than `older_than` before `now`.

    `arkiv/` is a delivery trace for IT; the database holds the originals. Quarantined
    files are never purged. Returns the deleted paths.
    """
    archive = inbox / ARCHIVE_DIR
    if not archive.is_dir():
        return []
    limit = (now - older_than).timestamp()
    removed = []
    for path in sorted(archive.iterdir()):
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink()
            removed.append(path)
    if removed:
        _fsync_directory(archive)
    return removed


def _peek_order_fields(path: Path) -> tuple[str | None, int | None]:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError:
        # Ordered by name among the others; the import itself reports the error.
        return None, None
    return order_fields(raw)


def _free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem.N.suffix` with the smallest free N."""
    candidate = folder / name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    number = 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = folder / (f"{stem}.{number}.{suffix}" if suffix else f"{stem}.{number}")
    return candidate


def _write_atomically(target: Path, content: bytes) -> None:
    # A dot-name is what list_inbox and the e-services treat as "still being written".
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, target)


def _fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable; Windows cannot open a folder and needs no fsync."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sidecar_text(file_name: str, reason_sv: str, reason_en: str) -> str:
    return (
        f"Filen {file_name} kunde inte läsas in och har satts i karantän.\n"
        f"Orsak: {reason_sv}\n"
        "Registrera anmälan för hand eller markera filen som \"inte en anmälan\" i programmet.\n"
        "\n"
        f"The file {file_name} could not be imported and has been quarantined.\n"
        f"Reason: {reason_en}\n"
        "Register the report by hand or mark the file as \"not a report\" in the application.\n"
    )
