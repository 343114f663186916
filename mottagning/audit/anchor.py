"""Anchoring the audit chain, so that truncation and wholesale re-computation show.

The hash chain alone proves only that the events fit together: someone with write access
to the database can cut off its tail or edit an event and recompute every later hash.
So at every commit that appended events, the chain head (event id and hash) is signed
with an HMAC whose key never lives in the database, and stored

- in the table `audit_anchors` (the newest anchor, plus one checkpoint per
  `CHECKPOINT_EVERY` events so an old edit is narrowed down to a stretch), and
- for the embedded database, in the file `<database>.audit-anchor` beside it, written
  after the commit; an attacker who rewrites the database must also find and forge that.

The key is per database (its random id is the setting `audit.database_id`) and comes from
1. the system keyring, service "mottagning-audit", user = the database id;
2. on a machine without a keyring backend, the environment variable MOTTAGNING_AUDIT_KEY
   (headless use, CI, containers; one key for every database on that machine);
3. otherwise a key file `audit-keys/<database id>.key` (mode 600) in the user's data
   folder, outside the database: weaker than a keyring, since anyone who can read the
   user's files can forge anchors, but it still defeats an attacker who has only the
   database (a copied file, a database login).
A key is created only with the first anchor; when anchors exist but their key is missing,
nothing is anchored and `audit verify` says so instead of starting a new, forgeable trail.

Absence is an error: events without anchors, a missing database id or a missing anchor
file fail verification. Every anchor also goes to a witness outside the database's reach
(the system log, and a witness file when configured; see `audit_witness`), which is what
catches a rollback to an older, self-consistent state (events truncated, an older anchor
file put back).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mottagning.audit import witness as audit_witness
from mottagning.models import AuditEvent, AuditHead, Setting
from mottagning.models.records import AuditAnchor
from mottagning.paths import user_data_dir
from mottagning.timeutil import as_utc, utc_now

KEYRING_SERVICE = "mottagning-audit"
ENV_KEY = "MOTTAGNING_AUDIT_KEY"
DATABASE_ID_SETTING = "audit.database_id"
CHECKPOINT_EVERY = 1000
ANCHOR_FILE_SUFFIX = ".audit-anchor"

# session.info keys set by audit.record()
APPENDED = "audit_appended"
CHAIN_START = "audit_chain_start"
HEAD_LOCKED = "audit_head_locked"
_PENDING_FILE = "audit_anchor_file"
_PENDING_WITNESS = "audit_anchor_witness"


# --- the key -------------------------------------------------------------------------------


def _keyring_usable() -> bool:
    import keyring  # at the first anchor, not at import: the GUI's start does not wait for it

    backend = keyring.get_keyring()
    return getattr(backend, "priority", 0) > 0 and type(backend).__module__ != "keyring.backends.fail"


def key_file(database_id: str) -> Path:
    return user_data_dir() / "audit-keys" / f"{database_id}.key"


def key_source() -> str:
    """Where keys come from on this machine, in Swedish, for messages."""
    if _keyring_usable():
        return "systemets nyckelring (tjänsten mottagning-audit)"
    if os.environ.get(ENV_KEY):
        return f"miljövariabeln {ENV_KEY}"
    return f"en nyckelfil i {user_data_dir() / 'audit-keys'}"


def audit_key(database_id: str, *, create: bool) -> bytes | None:
    """The anchor key of one database, created if `create` and there is none yet."""
    if _keyring_usable():
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(KEYRING_SERVICE, database_id)
            if stored is None and create:
                stored = secrets.token_hex(32)
                keyring.set_password(KEYRING_SERVICE, database_id, stored)
        except KeyringError:
            stored = None
        return None if stored is None else bytes.fromhex(stored)
    env = os.environ.get(ENV_KEY)
    if env:
        return hashlib.sha256(env.encode("utf-8")).digest()
    path = key_file(database_id)
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        key = secrets.token_hex(32)
        handle.write(key)
    return bytes.fromhex(key)


def key_id(key: bytes) -> str:
    return hmac.new(key, b"mottagning-audit-key-id", hashlib.sha256).hexdigest()[:16]


def anchor_mac(key: bytes, *, database_id: str, event_id: int, head_hash: str,
               created_at: datetime) -> str:
    message = json.dumps(
        [database_id, event_id, head_hash, as_utc(created_at).isoformat(timespec="microseconds")],
        separators=(",", ":"),
    )
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


# --- writing anchors -----------------------------------------------------------------------


def database_id(session: Session) -> str | None:
    row = session.get(Setting, DATABASE_ID_SETTING)
    return None if row is None else row.value.get("value")


def anchor_file_path(session: Session) -> Path | None:
    """`<database file>.audit-anchor` for the embedded database, else None."""
    url = make_url(str(session.get_bind().url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database + ANCHOR_FILE_SUFFIX)


def anchor_head(session: Session, *, now: datetime | None = None) -> AuditAnchor | None:
    """Sign the current chain head (the caller's transaction holds the head row lock)."""
    head = session.get(AuditHead, 1)
    if head is None or head.last_event_id == 0:
        return None
    latest = session.execute(
        select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.event_id == head.last_event_id:
        return None
    db_id = database_id(session)
    if db_id is None:
        db_id = uuid.uuid4().hex
        session.add(Setting(key=DATABASE_ID_SETTING, value={"value": db_id}))
    key = audit_key(db_id, create=latest is None)
    if key is None:
        return None
    created_at = now or utc_now()
    anchor = AuditAnchor(
        created_at=created_at, event_id=head.last_event_id, head_hash=head.last_hash,
        key_id=key_id(key),
        checkpoint=latest is None
        or head.last_event_id // CHECKPOINT_EVERY > latest.event_id // CHECKPOINT_EVERY,
        mac=anchor_mac(key, database_id=db_id, event_id=head.last_event_id,
                       head_hash=head.last_hash, created_at=created_at),
    )
    session.add(anchor)
    session.flush()
    session.execute(
        delete(AuditAnchor).where(AuditAnchor.id < anchor.id, AuditAnchor.checkpoint.is_(False))
    )
    path = anchor_file_path(session)
    if path is not None:
        session.info[_PENDING_FILE] = (path, _file_payload(db_id, anchor),
                                       session.info.get(CHAIN_START, 0) == 0)
    session.info[_PENDING_WITNESS] = _file_payload(db_id, anchor)
    return anchor


def _file_payload(db_id: str, anchor: AuditAnchor) -> dict[str, Any]:
    return {
        "database_id": db_id, "event_id": anchor.event_id, "head_hash": anchor.head_hash,
        "created_at": as_utc(anchor.created_at).isoformat(timespec="microseconds"),
        "key_id": anchor.key_id, "mac": anchor.mac,
    }


def read_anchor_file(path: Path) -> dict[str, Any] | None:
    """The anchor in the file, None if there is no file; ValueError if it is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        int(data["event_id"])
        str(data["database_id"]), str(data["head_hash"]), str(data["mac"])
        datetime.fromisoformat(data["created_at"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(str(exc)) from exc
    return data


def _write_anchor_file(path: Path, payload: dict[str, Any], claim: bool) -> None:
    try:
        current = read_anchor_file(path)
    except ValueError:
        current = None
    if current is not None:
        if current["database_id"] != payload["database_id"] and not claim:
            # Another database's anchor (or evidence that this one's id was changed): keep it.
            return
        if current["database_id"] == payload["database_id"] and current["event_id"] > payload["event_id"]:
            return  # another process already anchored further
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        # The table anchor is committed; a missing file weakens only the extra check.
        temporary.unlink(missing_ok=True)


@event.listens_for(Session, "before_commit")
def _anchor_before_commit(session: Session) -> None:
    if session.info.get(APPENDED):
        anchor_head(session)


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_FILE, None)
    witnessed = session.info.pop(_PENDING_WITNESS, None)
    session.info.pop(APPENDED, None)
    session.info.pop(CHAIN_START, None)
    session.info.pop(HEAD_LOCKED, None)
    if pending is not None:
        _write_anchor_file(*pending)
    if witnessed is not None:
        audit_witness.witness(witnessed)


@event.listens_for(Session, "after_rollback")
def _anchor_after_rollback(session: Session) -> None:
    for name in (_PENDING_FILE, _PENDING_WITNESS, APPENDED, CHAIN_START, HEAD_LOCKED):
        session.info.pop(name, None)


# --- checking anchors ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    anchors_checked: int
    first_broken_id: int | None = None
    problem: str | None = None


def _broken(checked: int, event_id: int | None, problem: str) -> AnchorCheck:
    return AnchorCheck(False, checked, event_id, problem)


def check_anchors(
    session: Session, *, anchor_file: Path | None = None, file_required: bool = True,
    since_event_id: int = 0,
) -> AnchorCheck:
    """Check every anchor against the (already verified) chain; name the first misfit.

    Absence is an error: a chain with events but no anchor, no database id, or (on the
    embedded database, unless `file_required` is false as for a restored copy) no anchor
    file. The witness file, when configured, is checked like an anchor. With
    `since_event_id` (an incremental verification) only anchors at or after that event are
    read: the newest anchor always is, so removed anchors and a shortened chain still show.
    """
    head = session.get(AuditHead, 1)
    head_id = head.last_event_id if head is not None else 0
    db_id = database_id(session)
    anchors = session.execute(
        select(AuditAnchor).where(AuditAnchor.event_id >= since_event_id)
        .order_by(AuditAnchor.event_id, AuditAnchor.id)).scalars().all()
    path = anchor_file if anchor_file is not None else anchor_file_path(session)
    try:
        from_file = read_anchor_file(path) if path is not None else None
    except ValueError:
        return _broken(0, None, f"ankarfilen {path} går inte att läsa: den har ändrats")
    if from_file is not None and from_file["database_id"] != db_id:
        return _broken(0, int(from_file["event_id"]),
                       f"ankarfilen {path} hör till en annan databas, eller databasens id har ändrats")
    if head_id == 0 and not anchors:
        return AnchorCheck(True, 0)
    if db_id is None:
        return _broken(0, None, "databasens id (audit.database_id) saknas: ankarna kan inte "
                                "kontrolleras, så borttagna händelser skulle inte synas")
    if not anchors:
        return _broken(0, None, "det finns händelser men inga ankare: ankarna har tagits bort "
                                "ur databasen")
    try:
        witnessed = audit_witness.newest_witnessed(db_id)
    except ValueError as error:
        return _broken(0, None, f"vittnesfilen går inte att läsa ({error})")
    key = audit_key(db_id, create=False) if db_id else None
    if key is None:
        return _broken(0, anchors[0].event_id if anchors else None,
                       f"ankarna kan inte kontrolleras: nyckeln saknas ({key_source()})")
    entries = [(a.event_id, a.head_hash, a.created_at, a.mac, f"ankare {a.id}") for a in anchors]
    if from_file is not None:
        entries.append((int(from_file["event_id"]), from_file["head_hash"],
                        datetime.fromisoformat(from_file["created_at"]), from_file["mac"],
                        "ankarfilen"))
    if witnessed is not None:
        entries.append((int(witnessed["event_id"]), str(witnessed["head_hash"]),
                        datetime.fromisoformat(witnessed["created_at"]), str(witnessed["mac"]),
                        "vittnesfilens ankare"))
    hashes = dict(session.execute(
        select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_({e[0] for e in entries}))
    ).all())
    checked, last_good = 0, 0
    for event_id, head_hash, created_at, mac, name in sorted(entries, key=lambda e: e[0]):
        expected = anchor_mac(key, database_id=db_id, event_id=event_id, head_hash=head_hash,
                              created_at=created_at)
        if not hmac.compare_digest(expected, mac):
            return _broken(checked, event_id,
                           f"{name} har ändrats eller skrivits utan rätt nyckel")
        if event_id > head_id or event_id not in hashes:
            return _broken(checked, head_id + 1,
                           f"kedjan är kortare än {name}: händelserna {head_id + 1}–{event_id} "
                           "har tagits bort")
        if hashes[event_id] != head_hash:
            return _broken(checked, event_id,
                           f"kedjan stämmer inte med {name}: den har räknats om efter en ändring "
                           f"mellan händelse {last_good + 1} och {event_id}")
        checked += 1
        last_good = event_id
    if from_file is not None and anchors and int(from_file["event_id"]) > anchors[-1].event_id:
        return _broken(checked, anchors[-1].event_id,
                       "ankare har tagits bort ur databasen (ankarfilen är nyare)")
    if witnessed is not None and int(witnessed["event_id"]) > anchors[-1].event_id:
        return _broken(checked, anchors[-1].event_id,
                       "ankare har tagits bort ur databasen (vittnesfilen har ett nyare)")
    if path is not None and from_file is None and file_required:
        return _broken(checked, None, f"ankarfilen {path} saknas: den har tagits bort")
    if from_file is not None and int(from_file["event_id"]) < anchors[-1].event_id:
        # The file is rewritten after every anchoring commit and never moves backwards: an
        # older one has been put back (or the last write failed, which is as bad).
        return _broken(checked, int(from_file["event_id"]) + 1,
                       f"ankarfilen {path} är äldre än databasens nyaste ankare: en äldre kopia "
                       "har lagts tillbaka")
    return AnchorCheck(True, checked)
