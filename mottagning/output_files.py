"""Files the command line writes on request (`--out`): never over something that matters.

`letters reprint 1 --out mottagning.db.database` once turned the live database into a PDF. So an
existing file is overwritten only with `--force`, the database, its WAL, its anchor file and
key files never, even through a link; the content goes to a temporary file in the same
folder first and is renamed into place, so a crash leaves the old file or the new one.
Files hold personal data: they are created readable by the owner only (0600).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from mottagning.errors import MottagningError

DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".audit-anchor")
KEY_SUFFIXES = (".key",)


def protected_paths(database_file: Path | None) -> list[Path]:
    """The database's own files, which no output may replace."""
    if database_file is None:
        return []
    base = Path(database_file).expanduser().resolve()
    return [base.with_name(base.name + suffix) for suffix in DATABASE_COMPANIONS]


def check_output(target: Path | str, *, force: bool, protected: Iterable[Path] = ()) -> Path:
    """Refuse `target` before any work is done (see the module docstring); its resolved path."""
    requested = Path(target).expanduser()
    resolved = requested.resolve()
    if resolved in {Path(p).resolve() for p in protected} or resolved.name.endswith(KEY_SUFFIXES) \
            or "audit-keys" in resolved.parts:
        raise MottagningError(
            f"{requested} är en av databasens egna filer eller en nyckelfil och skrivs aldrig över. "
            "Välj ett annat filnamn.")
    if not resolved.parent.is_dir():
        raise MottagningError(f"Mappen {resolved.parent} finns inte.")
    if os.path.lexists(requested) and not force:
        raise MottagningError(
            f"Filen {requested} finns redan. Välj ett nytt filnamn, eller skriv över den med --force.")
    if resolved.exists() and not resolved.is_file():
        raise MottagningError(f"{requested} är ingen vanlig fil och skrivs inte över.")
    return resolved


def write_output(
    target: Path | str, content: bytes, *, force: bool, protected: Iterable[Path] = (),
) -> Path:
    """Write `content` to the new file `target` (mode 0600); returns its resolved path."""
    requested = Path(target).expanduser()
    resolved = check_output(target, force=force, protected=protected)
    temporary = resolved.with_name(f".{resolved.name}.{secrets.token_hex(4)}.skrivs")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        if force:
            os.replace(temporary, resolved)
        else:
            # A link fails if the name was taken meanwhile: never a silent overwrite.
            try:
                os.link(temporary, resolved)
            except FileExistsError:
                raise MottagningError(
                    f"Filen {requested} finns redan. Välj ett nytt filnamn, eller skriv över den "
                    "med --force.") from None
            except OSError:  # a file system without hard links
                os.replace(temporary, resolved)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
    return resolved
