"""A letter is signed by the case's handläggare, with the name and title of their profile,
the same in the preview, the stored PDF and on the command line."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from mottagning.access.users import actor_for, add_user, update_profile
from mottagning.cli import main
from mottagning.cli_support import current_actor
from mottagning.errors import PermissionDenied
from mottagning.letters.model import LetterKind
from mottagning.letters.profile import put_profile
from mottagning.letters.service import prepare_letter
from mottagning.models import AuditEvent, User
from mottagning.queue.items import assign_items
from mottagning.rules.permissions import Role
from mottagning.rules.status import Status
from tests.core.factories import register_simple
from tests.core.letters.test_letters_service import (
    MEETING,
    PROFILE,
    advance,
    collapse,
    issue,
    profile,
    stored_pdf,
    text_of,
)

__all__ = ["profile"]  # the fixture, used by name


def handlaggare(database, username: str, full_name: str, title: str | None, roles: list[str]):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        add_user(session, None, username=username, full_name=full_name, roles=roles, title=title)
        return actor_for(session.query(User).filter_by(username=username).one())


def assigned_item(database, actor, handler, now) -> int:  # type: ignore[no-untyped-def]
    item_id = register_simple(database, actor, now=now).item_ids[0]
    advance(database, actor, item_id, Status.PROTECTION_ASSESSED, now=now)
    with database.transaction() as session:
        assign_items(session, actor, [item_id], handler.user_id, now=now)
    return item_id


def test_the_handlaggare_signs_with_name_and_title_whoever_writes_it(database, profile, now) -> None:
    anna = handlaggare(database, "anna", "Anna Lind", "Socialsekreterare", [Role.WORKER])
    maria = handlaggare(database, "maria", "Maria Berg", "Förste socialsekreterare",
                        [Role.WORKER, Role.SENIOR])
    item_id = assigned_item(database, maria, anna, now)
    meeting = dataclasses.replace(MEETING, meeting_with="")  # nobody named: the handläggare

    with database.transaction() as session:
        prepared = prepare_letter(session, maria, item_id, LetterKind.KALLELSE, recipient_index=0,
                                  meeting=meeting, now=now)
    assert prepared.default_meeting_with == "Anna Lind, socialsekreterare"
    preview = collapse(text_of(prepared.render(meeting).pdf))
    letter = issue(database, maria, item_id, LetterKind.KALLELSE, now, meeting=meeting).letter
    stored = collapse(text_of(stored_pdf(database, letter.id)))
    assert stored == preview
    assert "Anna Lind, socialsekreterare" in stored  # whom the family meets
    assert "Anna Lind Socialsekreterare" in stored  # the signature
    assert "Maria Berg" not in stored and "Förste" not in stored


def test_a_letter_from_the_command_line_is_signed_by_the_handlaggare_not_the_os_account(
        database, now, tmp_path, capsys) -> None:
    os_user = current_actor(database)  # the first user: senior and system administrator
    with database.transaction() as session:
        put_profile(session, os_user, PROFILE)
    anna = handlaggare(database, "anna", "Anna Lind", "Socialsekreterare", [Role.WORKER])
    with database.transaction() as session:
        session.get(User, os_user.user_id).full_name = "root"
    item_id = assigned_item(database, os_user, anna, now)
    out = tmp_path / "kallelse.pdf"
    assert main(["--db", database.url, "letter", "kallelse", "--item", str(item_id), "--out", str(out),
                 "--meeting", "2026-12-01 10:00", "--place", "Röda vägen 50"]) == 0, capsys.readouterr().err
    text = collapse(text_of(out.read_bytes()))
    assert "Anna Lind Socialsekreterare" in text and "Anna Lind, socialsekreterare" in text
    assert "root" not in text


def test_a_user_sets_their_own_name_and_title_and_unassigned_letters_are_signed_with_them(
        database, now, tmp_path, capsys) -> None:
    os_user = current_actor(database)  # created from the computer account: named like it
    with database.transaction() as session:
        put_profile(session, os_user, PROFILE)
    assert main(["--db", database.url, "users", "profile", "--name", "Maria Berg",
                 "--title", "Förste socialsekreterare"]) == 0
    assert "Maria Berg, Förste socialsekreterare" in capsys.readouterr().out
    item_id = register_simple(database, os_user, now=now).item_ids[0]
    advance(database, os_user, item_id, Status.PROTECTION_ASSESSED, now=now)
    out = tmp_path / "kallelse.pdf"
    assert main(["--db", database.url, "letter", "kallelse", "--item", str(item_id), "--out", str(out),
                 "--meeting", "2026-12-01 10:00", "--place", "Röda vägen 50"]) == 0
    text = collapse(text_of(out.read_bytes()))
    assert "Maria Berg Förste socialsekreterare" in text
    assert "Maria Berg, förste socialsekreterare" in text


def test_only_a_system_administrator_changes_someone_elses_name_or_title(database, worker, senior) -> None:
    with database.transaction() as session, pytest.raises(PermissionDenied):
        update_profile(session, worker, username="maria", title="Enhetschef")
    with database.transaction() as session:
        assert update_profile(session, worker, title="Socialsekreterare").title == "Socialsekreterare"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user_profile_changed")).one()
    assert event.user_id == worker.user_id
