"""A witness for audit anchors outside the database's reach.

Anchors in the database and in the file beside the embedded database can both be deleted
or rolled back by someone who controls that disk or that server. So every anchor is also
told to a witness they do not control:

- the system log (syslog/journald; a municipality forwards it to its log server), always,
  unless `MOTTAGNING_AUDIT_SYSLOG=0`; `audit verify` cannot read it back, but the log
  server keeps what was anchored when;
- a witness file on another disk or share, when `MOTTAGNING_AUDIT_WITNESS_FILE` names one:
  one JSON line per anchor, only ever appended. `audit verify` and `restore` read it: an
  anchor witnessed there but missing from the database (deleted rows, an older anchor file
  put back, a truncated chain) is an error.

Configured by the environment of the service and the workstations, never by a setting in
the database, which the attacker could change.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from pathlib import Path
from typing import Any

WITNESS_FILE_ENV = "MOTTAGNING_AUDIT_WITNESS_FILE"
SYSLOG_ENV = "MOTTAGNING_AUDIT_SYSLOG"
SYSLOG_SOCKETS = ("/dev/log", "/var/run/syslog")

log = logging.getLogger("mottagning.audit.witness")
_syslog_attached = False


def witness_file() -> Path | None:
    value = os.environ.get(WITNESS_FILE_ENV, "").strip()
    return Path(value) if value else None


def _attach_syslog() -> None:
    global _syslog_attached
    if _syslog_attached or os.environ.get(SYSLOG_ENV, "1") == "0":
        return
    _syslog_attached = True
    socket = next((s for s in SYSLOG_SOCKETS if os.path.exists(s)), None)
    if socket is None:
        return  # no local syslog (Windows, some containers): the file witness remains
    handler = logging.handlers.SysLogHandler(
        address=socket, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
    handler.setFormatter(logging.Formatter("mottagning: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def witness(payload: dict[str, Any]) -> None:
    """Tell the witnesses about one anchor; a failing witness is logged, never raised (the
    anchor is already committed), and shows at the next `audit verify`."""
    line = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    _attach_syslog()
    log.info("audit anchor %s", line)
    path = witness_file()
    if path is None:
        return
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write(line + "\n")
            file.flush()
            os.fsync(file.fileno())
    except OSError:
        log.exception("The audit witness file %s could not be written", path)


def newest_witnessed(database_id: str) -> dict[str, Any] | None:
    """The witnessed anchor of `database_id` with the highest event id, or None.

    Raises ValueError when a witness file is configured but cannot be read.
    """
    path = witness_file()
    if path is None:
        return None
    newest: dict[str, Any] | None = None
    try:
        with path.open(encoding="utf-8") as file:
            for line in file:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash while appending
                if not isinstance(entry, dict) or entry.get("database_id") != database_id:
                    continue
                if newest is None or int(entry["event_id"]) > int(newest["event_id"]):
                    newest = entry
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ValueError(str(error)) from error
    return newest
