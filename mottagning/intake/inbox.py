"""The inbox folder: which files to take, in what order, and where they go afterwards.

A file leaves the inbox only in two ways, both by atomic rename within the same volume:
into `arkiv/` after its content is committed to the database, or into `karantan/` with an
error sidecar. Nothing here deletes a file except `purge_archive`, and that never looks at
`karantan/`. Only one importer works an inbox at a time (the caller holds the lock), so
choosing a free name and then renaming to it has no competitor.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mottagning.intake.parse import MAX_FILE_BYTES, order_fields, parse_submission, too_large
from mottagning.intake.submission import ParsedSubmission, Unreadable
from mottagning.terminal import printable

ARCHIVE_DIR = "arkiv"
QUARANTINE_DIR = "karantan"
SIDECAR_SUFFIX = ".error.txt"


def list_inbox(inbox: Path) -> list[Path]:
    """The finished submission entries directly in `inbox`, sorted by name.

    Taken: entries ending in `.json` (any letter case: e-services on Windows write
    `.JSON`) that are not folders. Symbolic links and special files are taken too, without
    following them, so that they are quarantined by name (`read_entry` never reads them)
    instead of lying unnoticed. Left alone: names starting with `.` or ending in
    `.tmp`/`.part` (still being written) and everything in subfolders such as `arkiv/` and
    `karantan/`. Names are whatever bytes the file system holds (undecodable bytes as
    surrogates); `display_name` makes one printable.
    """
    with os.scandir(inbox) as entries:
        return sorted(
            (
                Path(entry.path) for entry in entries
                if not entry.is_dir(follow_symlinks=False)
                and entry.name.lower().endswith(".json")
                and not entry.name.startswith(".")
                and not entry.name.lower().endswith((".tmp", ".part"))
            ),
            key=lambda path: path.name,
        )


def display_name(name: str) -> str:
    """A file name as printable text: undecodable bytes as `\\xff`, control characters escaped."""
    return printable(os.fsencode(name).decode("utf-8", "backslashreplace"))


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
    """Read and parse one inbox file; its modification time is when it was received."""
    return read_entry(path, now=now)[0]


def read_entry(path: Path, *, now: datetime) -> tuple[ParsedSubmission | Unreadable, bytes | None]:
    """What one inbox entry is, and its bytes when it was read (None when it was not).

    Only a regular file with a single link is opened, and never through a symbolic link
    (`O_NOFOLLOW`); anything else is refused by name without reading, so that a link to
    `/proc/self/environ` or a key file cannot put secrets into an alarm. The size is
    checked before reading and at most one byte more than the limit is ever read. An
    `OSError` (the file vanished, no permission) is raised: that is a fault of the
    surroundings, not of the file, and must not send it to quarantine.
    """
    opened = _open_regular(path)
    if isinstance(opened, Unreadable):
        return opened, None
    descriptor, info = opened
    with os.fdopen(descriptor, "rb") as file:
        if info.st_size > MAX_FILE_BYTES:
            return too_large(info.st_size), None
        raw = file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:  # grew after the size check
            return too_large(max(len(raw), os.fstat(file.fileno()).st_size)), None
    received_at = datetime.fromtimestamp(info.st_mtime, UTC)
    parsed = parse_submission(raw, file_name=display_name(path.name), received_at=received_at,
                              now=now)
    return parsed, raw


def read_bounded(path: Path) -> bytes | None:
    """An entry's bytes when it is a regular file within the size limit, else None."""
    try:
        opened = _open_regular(path)
    except OSError:
        return None
    if isinstance(opened, Unreadable):
        return None
    descriptor, info = opened
    with os.fdopen(descriptor, "rb") as file:
        if info.st_size > MAX_FILE_BYTES:
            return None
        raw = file.read(MAX_FILE_BYTES + 1)
    return raw if len(raw) <= MAX_FILE_BYTES else None


_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _open_regular(path: Path) -> tuple[int, os.stat_result] | Unreadable:
    """An open descriptor on a regular, singly linked file, or why the entry is refused."""
    before = os.lstat(path)
    refused = _refusal(before)
    if refused is not None:
        return refused
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if os.path.islink(path):  # replaced by a link since lstat
            return _refusal(os.lstat(path)) or _NOT_REGULAR
        raise error
    info = os.fstat(descriptor)
    if _refusal(info) is not None or (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
        os.close(descriptor)
        return _refusal(info) or _NOT_REGULAR
    return descriptor, info


_NOT_REGULAR = Unreadable(
    "Posten i inkorgen är ingen vanlig fil (en länk, mapp eller specialfil) och har inte lästs.",
    "The inbox entry is not a regular file (a link, folder or special file) and was not read.",
)


def _refusal(info: os.stat_result) -> Unreadable | None:
    if stat.S_ISLNK(info.st_mode):
        return Unreadable(
            "Filen är en symbolisk länk. Länkar följs aldrig, så innehållet har inte lästs.",
            "The file is a symbolic link. Links are never followed; nothing was read.",
        )
    if not stat.S_ISREG(info.st_mode):
        return _NOT_REGULAR
    if info.st_nlink > 1:
        return Unreadable(
            "Filen är en hård länk till en annan fil och har inte lästs.",
            "The file is a hard link to another file and was not read.",
        )
    return None


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
    archive = _private_folder(inbox / ARCHIVE_DIR)
    target = _free_name(archive, path.name)
    if replacement_bytes is None:
        os.rename(path, target)
        os.utime(target)
        os.chmod(target, 0o600)  # a regular file (read_entry checked): the report's data
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
    quarantine_dir = _private_folder(inbox / QUARANTINE_DIR)
    # Renamed to its printable form, so that the name can be stored, shown and compared.
    target = _free_name(quarantine_dir, _storable_name(path.name))
    sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
    _write_atomically(sidecar, _sidecar_text(display_name(path.name), reason_sv, reason_en)
                      .encode("utf-8"))
    _fsync_directory(quarantine_dir)
    os.rename(path, target)
    if stat.S_ISREG(os.lstat(target).st_mode) and os.lstat(target).st_nlink == 1:
        os.chmod(target, 0o600)  # never through a link, never someone else's linked file
    _fsync_directory(quarantine_dir)
    _fsync_directory(path.parent)
    return target


def _private_folder(folder: Path) -> Path:
    """`folder`, created or tightened to 0700: it holds reports' personal data."""
    folder.mkdir(mode=0o700, exist_ok=True)
    if os.name != "nt" and stat.S_IMODE(os.stat(folder).st_mode) != 0o700:
        os.chmod(folder, 0o700)
    return folder


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
    # Never through a link, never a special file (a FIFO would block the run forever);
    # those are ordered by name among the others and the import itself refuses them.
    raw = read_bounded(path)
    return (None, None) if raw is None else order_fields(raw)


def _storable_name(name: str) -> str:
    """The printable name, shortened (keeping its ending) to fit the alarm's columns."""
    shown = display_name(name)
    return shown if len(shown) <= 200 else shown[:170] + "…" + shown[-29:]


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


def write_private(target: Path, content: bytes) -> None:
    """Write `content` to a new file readable by the owner only (personal data), synced."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
                         0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())


def _write_atomically(target: Path, content: bytes) -> None:
    # A dot-name is what list_inbox and the e-services treat as "still being written".
    temporary = target.with_name(f".{target.name}.tmp")
    write_private(temporary, content)
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
