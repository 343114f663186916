"""Drafts kept on this computer while the server is away: encrypted, then saved once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from mottagning.access import local_drafts
from mottagning.access.drafts import load_draft
from mottagning.db.database import Database
from mottagning.models import Draft

CONTENT = {"description": "Mamma sover på dagarna, barnet är ensamt."}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "lokala-utkast"
    monkeypatch.setattr(local_drafts, "folder", lambda: target)
    return target


def test_a_kept_draft_is_encrypted_on_disk_and_readable_only_with_the_accounts_key(
    folder: Path, memory_keyring
) -> None:
    draft = local_drafts.LocalDraft("postgresql://enheten", 7, "register", "new", CONTENT)
    assert local_drafts.keep(draft)
    (path,) = folder.glob("*.utkast")
    assert b"ensamt" not in path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    assert local_drafts.pending("postgresql://enheten", 7) == [draft]
    assert local_drafts.pending("postgresql://enheten", 8) == []
    memory_keyring.delete_password("mottagning", local_drafts.KEY_NAME)  # a new key: unreadable
    assert local_drafts.pending("postgresql://enheten", 7) == []


def test_waiting_drafts_reach_the_database_once(database: Database, worker, folder: Path) -> None:
    name = database.display_name()
    local_drafts.keep(local_drafts.LocalDraft(name, worker.user_id, "register", "new", CONTENT))
    for _ in range(2):  # the second start finds nothing left to save
        with database.transaction() as session:
            kept = local_drafts.save_pending(session, worker, name)
        for draft in kept:
            local_drafts.forget(name, worker.user_id, draft.kind, draft.key)
    with database.transaction() as session:
        assert load_draft(session, worker, kind="register", key="new").content == CONTENT
        assert session.execute(select(func.count()).select_from(Draft)).scalar_one() == 1
    assert not list(folder.glob("*.utkast"))
