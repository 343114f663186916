"""Passwords and sign-in: argon2 hashes, the policy, the delay after failed attempts, audit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from mottagning.access import auth
from mottagning.access.signature import signature_method, verify_signature
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import PermissionDenied, ValidationError
from mottagning.models import AuditEvent, User
from mottagning.models.security import SignInState

PASSWORD = "Blåbärssoppa-1987"


def _set(database: Database, actor: Actor, password: str = PASSWORD, **kwargs) -> None:
    with database.transaction() as session:
        auth.set_password(session, actor, new_password=password, **kwargs)


def _sign_in(database: Database, username: str, password: str, now: datetime) -> auth.SignInOutcome:
    # Like the GUI and the CLI: commit the attempt, then look at the outcome.
    with database.transaction() as session:
        return auth.sign_in(session, username, password, now=now)


def _events(database: Database) -> list[AuditEvent]:
    with database.transaction() as session:
        return list(session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())


def test_passwords_are_stored_as_salted_argon2id_hashes() -> None:
    first, second = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second and PASSWORD not in first
    assert auth.verify_password(first, PASSWORD) and auth.verify_password(second, PASSWORD)
    assert not auth.verify_password(first, PASSWORD.upper())
    assert not auth.verify_password("inte en hash", PASSWORD)


def test_the_unknown_users_hash_costs_what_a_real_users_hash_costs() -> None:
    # the same parameters as a stored hash, so its verification takes as long
    assert not auth._hasher().check_needs_rehash(auth.DUMMY_HASH)
    assert not auth.verify_password(auth.DUMMY_HASH, PASSWORD)


def test_password_policy_explains_each_problem_in_swedish() -> None:
    assert auth.password_problems("kort", username="anna") == ["Lösenordet måste ha minst 10 tecken."]
    assert auth.password_problems("anna-är-bäst-2026", username="anna") == [
        "Lösenordet får inte innehålla användarnamnet."]
    assert auth.password_problems("Berglund-sommar", full_name="Anna Berglund") == [
        "Lösenordet får inte innehålla ditt namn."]
    assert auth.password_problems("aaaaaaaaaaaa") == ["Lösenordet är för enkelt: använd fler olika tecken."]
    assert auth.password_problems(PASSWORD, username="anna", full_name="Anna Testsson") == []


def test_sign_in_with_the_right_password_gives_the_users_roles_and_is_audited(
    database: Database, worker: Actor, now: datetime
) -> None:
    _set(database, worker)
    outcome = _sign_in(database, "anna", PASSWORD, now)
    assert outcome.ok and outcome.actor_or_raise() == worker
    event = _events(database)[-1]
    assert (event.action, event.actor, event.user_id) == ("sign_in", "anna", worker.user_id)


def test_no_password_ever_reaches_the_audit_log(database: Database, worker: Actor, now: datetime) -> None:
    _set(database, worker)
    _sign_in(database, "anna", "Fel-lösenord-99", now)
    _sign_in(database, "Fel-lösenord-i-namnfältet", "x", now)
    _sign_in(database, "anna", PASSWORD, now)
    logged = repr([(e.actor, e.details) for e in _events(database)])
    assert PASSWORD not in logged and "Fel-lösenord" not in logged
    assert [e.action for e in _events(database)][-4:] == [
        "password_set", "sign_in_failed", "sign_in_failed", "sign_in"]
    with database.transaction() as session:
        stored = session.get(User, worker.user_id).password_hash
    assert stored not in logged


def test_wrong_password_and_unknown_user_get_the_same_answer(
    database: Database, worker: Actor, now: datetime
) -> None:
    _set(database, worker)
    wrong = _sign_in(database, "anna", "Fel-lösenord-99", now)
    unknown = _sign_in(database, "okand", PASSWORD, now)
    assert wrong.message == unknown.message == "Fel användarnamn eller lösenord."
    with pytest.raises(PermissionDenied, match="Fel användarnamn eller lösenord"):
        wrong.actor_or_raise()


def test_from_the_third_failure_each_attempt_waits_twice_as_long(
    database: Database, worker: Actor, now: datetime
) -> None:
    _set(database, worker)
    clock = now
    waits = []
    for _ in range(5):
        outcome = _sign_in(database, "anna", "Fel-lösenord-99", clock)
        waits.append(outcome.wait)
        clock += outcome.wait
    assert waits == [timedelta(0), timedelta(0), timedelta(seconds=5), timedelta(seconds=10),
                     timedelta(seconds=20)]
    assert "vänta 20 sekunder" in outcome.message
    assert auth.retry_delay(40) == auth.MAX_DELAY


def test_during_the_wait_even_the_right_password_is_refused_and_afterwards_accepted(
    database: Database, worker: Actor, now: datetime
) -> None:
    _set(database, worker)
    for _ in range(3):
        _sign_in(database, "anna", "Fel-lösenord-99", now)
    early = _sign_in(database, "anna", PASSWORD, now + timedelta(seconds=2))
    assert not early.ok
    assert early.message == "För många misslyckade inloggningar. Försök igen om 3 sekunder."
    assert _sign_in(database, "anna", PASSWORD, now + timedelta(seconds=5)).ok
    with database.transaction() as session:
        state = session.get(SignInState, worker.user_id)
        assert (state.failed_attempts, state.retry_after) == (0, None)
    # The count starts over: one slip after a success costs no wait.
    assert _sign_in(database, "anna", "Fel-lösenord-99", now + timedelta(seconds=6)).wait == timedelta(0)


def test_a_user_without_password_cannot_sign_in_by_password(
    database: Database, worker: Actor, now: datetime
) -> None:
    outcome = _sign_in(database, "anna", "vad-som-helst-123", now)
    assert not outcome.ok and "har inget lösenord ännu" in outcome.message


def test_users_change_their_own_password_only_with_the_current_one(
    database: Database, worker: Actor, now: datetime
) -> None:
    _set(database, worker)
    with pytest.raises(PermissionDenied, match="nuvarande lösenordet stämmer inte"):
        _set(database, worker, "Nytt-lösenord-2027", current_password="Fel-lösenord-99")
    _set(database, worker, "Nytt-lösenord-2027", current_password=PASSWORD)
    assert _sign_in(database, "anna", "Nytt-lösenord-2027", now).ok
    assert not _sign_in(database, "anna", PASSWORD, now).ok


def test_only_a_system_admin_sets_someone_elses_password(
    database: Database, worker: Actor, senior: Actor, admin: Actor, now: datetime
) -> None:
    with pytest.raises(PermissionDenied):
        _set(database, worker, username="maria")
    _set(database, admin, username="maria")
    assert _sign_in(database, "maria", PASSWORD, now).ok
    with pytest.raises(ValidationError, match="minst 10 tecken"):
        _set(database, admin, "kort", username="maria")


def test_setting_a_password_ends_the_wait(
    database: Database, worker: Actor, admin: Actor, now: datetime
) -> None:
    _set(database, worker)
    for _ in range(4):
        _sign_in(database, "anna", "Fel-lösenord-99", now)
    _set(database, admin, "Återställt-av-admin-1", username="anna")
    assert _sign_in(database, "anna", "Återställt-av-admin-1", now).ok


def test_once_a_user_has_a_password_signatures_ask_for_it(
    database: Database, senior: Actor
) -> None:
    phrase = "Jag signerar beslutet"
    with database.transaction() as session:
        assert signature_method(session, senior) == "phrase"
    _set(database, senior)
    with database.transaction() as session:
        assert signature_method(session, senior) == "password"
        verify_signature(session, senior, PASSWORD, expected_phrase=phrase)
        with pytest.raises(PermissionDenied, match="Fel lösenord"):
            verify_signature(session, senior, phrase, expected_phrase=phrase)


def test_the_gui_asks_for_sign_in_on_a_server_once_anyone_has_a_password(
    database: Database, worker: Actor, admin: Actor
) -> None:
    with database.transaction() as session:
        session.get(User, worker.user_id).os_account = "anna-dator"
    with database.transaction() as session:
        assert not auth.sign_in_required(session, shared_server=True, os_account="anna-dator")
        assert not auth.sign_in_required(session, shared_server=False, os_account="anna-dator")
    _set(database, admin)
    with database.transaction() as session:
        assert auth.sign_in_required(session, shared_server=True, os_account="anna-dator")
        assert not auth.sign_in_required(session, shared_server=False, os_account="anna-dator")
    _set(database, worker)
    with database.transaction() as session:
        assert auth.sign_in_required(session, shared_server=False, os_account="anna-dator")


def test_idle_lock_time_defaults_to_ten_minutes_and_only_admins_change_it(
    database: Database, worker: Actor, admin: Actor, now: datetime
) -> None:
    with database.transaction() as session:
        assert auth.idle_lock_minutes(session) == 10
        with pytest.raises(PermissionDenied):
            auth.set_idle_lock_minutes(session, worker, 3, now=now)
    with database.transaction() as session:
        auth.set_idle_lock_minutes(session, admin, 3, now=now)
    with database.transaction() as session:
        assert auth.idle_lock_minutes(session) == 3
        with pytest.raises(ValidationError):
            auth.set_idle_lock_minutes(session, admin, 0, now=now)


def _switch(database: Database, current: Actor, username: str, password: str, *, embedded: bool,
            now: datetime) -> auth.SignInOutcome:
    with database.transaction() as session:
        return auth.switch_user(session, current, username, password, embedded=embedded, now=now)


def test_switching_user_needs_the_password_of_a_user_who_has_one(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    _set(database, senior)
    for embedded in (True, False):
        assert _switch(database, worker, "maria", "", embedded=embedded, now=now).actor is None
    outcome = _switch(database, worker, "maria", PASSWORD, embedded=False, now=now)
    assert outcome.actor == senior
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user_switched")).one()
    assert event.user_id == senior.user_id and "anna" in str(event.details)


def test_a_user_without_a_password_is_switched_to_only_on_the_embedded_database(
    database: Database, worker: Actor, senior: Actor, now: datetime
) -> None:
    refused = _switch(database, worker, "maria", "", embedded=False, now=now)
    assert refused.actor is None and "inget lösenord" in refused.message
    assert _switch(database, worker, "maria", "", embedded=True, now=now).actor == senior
    assert _switch(database, worker, "okand", "", embedded=True, now=now).actor is None
