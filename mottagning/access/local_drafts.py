"""Drafts kept on this computer while the database server cannot be reached.

A form's autosave normally writes the user's draft into the database (see `drafts`). When
the server is gone, the draft is kept here instead, encrypted (AES-256-GCM) with a key of
this computer account kept in the operating system's keyring, until the server answers
again and the draft reaches the database; then the local copy is removed. Without a
keyring the copy stays in memory only (it survives the lost server, not a crash).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mottagning.access.drafts import save_draft
from mottagning.context import Actor
from mottagning.db import keys
from mottagning.paths import user_data_dir

KEY_NAME = "lokala-utkast"
SUFFIX = ".utkast"


def folder() -> Path:
    return user_data_dir() / "lokala-utkast"


@dataclass(frozen=True)
class LocalDraft:
    database: str
    user_id: int
    kind: str
    key: str
    content: dict[str, Any]


_IN_MEMORY: dict[str, LocalDraft] = {}


def _key() -> bytes | None:
    if not keys.keyring_available():
        return None
    stored = keys._get(keys.DB_SERVICE, KEY_NAME)
    if stored is None:
        stored = secrets.token_hex(32)
        keys._set(keys.DB_SERVICE, KEY_NAME, stored)
    return bytes.fromhex(stored)


def _name(database: str, user_id: int, kind: str, key: str) -> str:
    return hashlib.sha256(json.dumps([database, user_id, kind, key]).encode()).hexdigest()


def keep(draft: LocalDraft) -> bool:
    """Keep `draft` on this computer (replacing an older copy); False when only in memory."""
    name = _name(draft.database, draft.user_id, draft.kind, draft.key)
    secret = _key()
    if secret is None:
        _IN_MEMORY[name] = draft
        return False
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # not at the GUI's start

    payload = json.dumps(draft.__dict__, ensure_ascii=False).encode("utf-8")
    nonce = secrets.token_bytes(12)
    sealed = nonce + AESGCM(secret).encrypt(nonce, payload, name.encode())
    target = folder()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = target / (name + SUFFIX)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(sealed)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)  # a crash mid-write never leaves half a draft
    return True


def forget(database: str, user_id: int, kind: str, key: str) -> None:
    """The draft has reached the database: remove the local copy."""
    name = _name(database, user_id, kind, key)
    _IN_MEMORY.pop(name, None)
    (folder() / (name + SUFFIX)).unlink(missing_ok=True)


def pending(database: str, user_id: int) -> list[LocalDraft]:
    """The user's drafts of `database` still waiting on this computer."""
    found = [d for d in _IN_MEMORY.values() if d.database == database and d.user_id == user_id]
    secret = _key()
    if secret is None or not folder().is_dir():
        return found
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    for path in sorted(folder().glob("*" + SUFFIX)):
        sealed = path.read_bytes()
        try:
            payload = AESGCM(secret).decrypt(sealed[:12], sealed[12:], path.stem.encode())
        except (InvalidTag, ValueError):
            continue  # another account's key, or damaged: never shown as someone's draft
        draft = LocalDraft(**json.loads(payload))
        if draft.database == database and draft.user_id == user_id:
            found.append(draft)
    return found


# Local drafts whose form is still open in this process: the form saves them itself when
# the server answers again (its newest text), so `save_pending` leaves them alone.
_HELD: set[str] = set()


def hold(database: str, user_id: int, kind: str, key: str) -> None:
    """An open form is responsible for this local draft (it retries until the server answers)."""
    _HELD.add(_name(database, user_id, kind, key))


def release(database: str, user_id: int, kind: str, key: str) -> None:
    """The form has closed or saved: a local copy left now waits for `save_pending`."""
    _HELD.discard(_name(database, user_id, kind, key))


def save_pending(session: Session, actor: Actor, database: str) -> list[LocalDraft]:
    """Write the user's drafts still waiting on this computer (the program ended, or their
    form closed, while the server was gone) into the database, except those an open form
    holds; the caller forgets them once that has committed."""
    kept = [d for d in pending(database, actor.user_id)
            if _name(d.database, d.user_id, d.kind, d.key) not in _HELD]
    for draft in kept:
        save_draft(session, actor, kind=draft.kind, key=draft.key, content=draft.content)
    return kept
