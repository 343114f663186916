"""Passwords and sign-in: argon2 hashes, the password policy, and a growing delay after
repeated failed attempts.

A failed sign-in must stay recorded even though it fails, so `sign_in` returns an outcome
instead of raising: the caller commits the transaction and then calls
`outcome.actor_or_raise()`. No password, typed user name of an unknown account or hash
ever reaches the audit log.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.access.users import actor_for, current_os_account, ensure_os_user
from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import NotFound, PermissionDenied, ValidationError
from mottagning.models import User
from mottagning.models.security import SignInState
from mottagning.rules.permissions import Action
from mottagning.settings import put_setting, setting
from mottagning.timeutil import utc_now

if TYPE_CHECKING:
    from argon2 import PasswordHasher

PASSWORD_MIN_LENGTH = 10
# Two slips are free; from the third consecutive failure each attempt waits twice as long.
FREE_FAILURES = 2
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=15)
UNKNOWN_ACTOR = "okänd"

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): a desk computer signs in within a
# tenth of a second. Each hash records its parameters; a stronger setting here is applied
# to a user's stored hash at their next sign-in (check_needs_rehash). argon2 loads with
# the first password, not with the GUI's start.
@functools.cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


# Verifying against a real hash for unknown users keeps the answer time the same, so the
# timing does not tell which user names exist. Written out rather than hashed at import
# (that cost as much as a sign-in at every start); made with the parameters above, which
# a test checks (a stronger setting needs a new one).
DUMMY_HASH = ("$argon2id$v=19$m=19456,t=2,p=1$9aFtchm8F7ZD+Kvb1fH1xw"
              "$5J5RVB+/tiNVEKu54Yuj9Isf43cmz/WpIqdf6vSmQwU")


def hash_password(password: str) -> str:
    """An argon2id hash (with its own salt and parameters) of `password`."""
    return _hasher().hash(password)


def verify_password(password_hash: str, secret: str) -> bool:
    """True when `secret` matches `password_hash`; a damaged hash never matches."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, *, username: str = "", full_name: str = "") -> list[str]:
    """What makes `password` unacceptable, as Swedish sentences (empty: acceptable)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"Lösenordet måste ha minst {PASSWORD_MIN_LENGTH} tecken.")
    folded = password.casefold()
    if len(username) >= 3 and username.casefold() in folded:
        problems.append("Lösenordet får inte innehålla användarnamnet.")
    if any(len(part) >= 3 and part.casefold() in folded for part in full_name.split()):
        problems.append("Lösenordet får inte innehålla ditt namn.")
    if password and len(set(password)) < 4:
        problems.append("Lösenordet är för enkelt: använd fler olika tecken.")
    return problems


def wait_text(wait: timedelta) -> str:
    """'5 sekunder', '1 minut', '15 minuter' (rounded up: never promise too short a wait)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return "1 sekund" if seconds == 1 else f"{seconds} sekunder"
    minutes = math.ceil(seconds / 60)
    return "1 minut" if minutes == 1 else f"{minutes} minuter"


def retry_delay(failed_attempts: int) -> timedelta:
    """How long the next attempt must wait after `failed_attempts` consecutive failures."""
    if failed_attempts <= FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failed_attempts - FREE_FAILURES - 1), MAX_DELAY)


@dataclass(frozen=True)
class SignInOutcome:
    """The result of one sign-in attempt; `wait` is how long the next attempt must wait."""

    actor: Actor | None
    message: str = ""
    wait: timedelta = timedelta(0)

    @property
    def ok(self) -> bool:
        return self.actor is not None

    def actor_or_raise(self) -> Actor:
        if self.actor is None:
            raise PermissionDenied(self.message)
        return self.actor


def _user_by_name(session: Session, username: str) -> User | None:
    return session.execute(
        select(User).where(User.username == username.strip(), User.is_system.is_(False))
    ).scalar_one_or_none()


def _state(session: Session, user: User) -> SignInState:
    state = session.execute(
        select(SignInState).where(SignInState.user_id == user.id).with_for_update()
    ).scalar_one_or_none()
    if state is None:
        state = SignInState(user_id=user.id, failed_attempts=0)
        session.add(state)
        session.flush()
    return state


def _audit(session: Session, user: User | None, action: str, now: datetime, **details: object) -> None:
    audit.record(
        session, actor=user.username if user else UNKNOWN_ACTOR, user_id=user.id if user else None,
        action=action, entity_type="user", entity_id=user.id if user else None,
        details=details, now=now,
    )


def has_password(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id)
    return bool(user is not None and user.password_hash)


def any_password_set(session: Session) -> bool:
    """False only on a fresh installation, before anyone has chosen a password."""
    return session.execute(
        select(User.id).where(User.password_hash.is_not(None)).limit(1)
    ).first() is not None


def username_for_os_account(session: Session, os_account: str) -> str | None:
    return session.execute(
        select(User.username).where(User.os_account == os_account)
    ).scalar_one_or_none()


def sign_in(session: Session, username: str, password: str, *, now: datetime | None = None) -> SignInOutcome:
    """Check `username`'s password and record the attempt (audited, never the password).

    After FREE_FAILURES consecutive failures every attempt must wait `retry_delay`;
    attempts during the wait are refused without looking at the password.
    """
    now = now or utc_now()
    wrong = "Fel användarnamn eller lösenord."
    user = _user_by_name(session, username)
    if user is None:
        verify_password(DUMMY_HASH, password)
        _audit(session, None, "sign_in_failed", now, reason="unknown_user")
        return SignInOutcome(None, wrong)
    state = _state(session, user)
    if state.retry_after is not None and now < state.retry_after:
        wait = state.retry_after - now
        _audit(session, user, "sign_in_refused", now, reason="waiting",
               wait_seconds=math.ceil(wait.total_seconds()))
        return SignInOutcome(
            None, f"För många misslyckade inloggningar. Försök igen om {wait_text(wait)}.", wait
        )
    if not user.password_hash:
        _audit(session, user, "sign_in_refused", now, reason="no_password")
        return SignInOutcome(
            None, f"Användaren {user.username} har inget lösenord ännu. Be en systemförvaltare "
            f"sätta ett (mottagning users passwd {user.username}).",
        )
    if not verify_password(user.password_hash, password):
        state.failed_attempts += 1
        state.last_failure_at = now
        wait = retry_delay(state.failed_attempts)
        state.retry_after = now + wait if wait else None
        session.flush()
        _audit(session, user, "sign_in_failed", now, reason="wrong_password",
               failed_attempts=state.failed_attempts, wait_seconds=int(wait.total_seconds()))
        if wait:
            return SignInOutcome(
                None, f"{wrong} Efter flera misslyckade försök måste du vänta "
                f"{wait_text(wait)} innan du försöker igen.", wait,
            )
        return SignInOutcome(None, wrong)
    if not user.active:
        _audit(session, user, "sign_in_refused", now, reason="inactive")
        return SignInOutcome(None, "Kontot är inaktiverat. Kontakta systemförvaltaren.")
    state.failed_attempts = 0
    state.retry_after = None
    state.last_sign_in_at = now
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    _audit(session, user, "sign_in", now)
    return SignInOutcome(actor_for(user))


def switch_user(session: Session, current: Actor, username: str, password: str, *, embedded: bool,
                now: datetime | None = None) -> SignInOutcome:
    """"Byt användare" in a running program: `username` signs in with their password.

    A user without a password can be switched to only on the embedded database, where the
    computer account already decides who may open the data; on a shared server everyone
    signs in with a password. Audited with whom the program was switched from.
    """
    now = now or utc_now()
    user = _user_by_name(session, username)
    if user is not None and not user.password_hash and embedded:
        if not user.active:
            _audit(session, user, "sign_in_refused", now, reason="inactive")
            return SignInOutcome(None, "Kontot är inaktiverat. Kontakta systemförvaltaren.")
        _audit(session, user, "user_switched", now, from_user=current.username, with_password=False)
        return SignInOutcome(actor_for(user))
    outcome = sign_in(session, username, password, now=now)
    if outcome.actor is not None:
        _audit(session, user, "user_switched", now, from_user=current.username, with_password=True)
    return outcome


def set_password(
    session: Session, actor: Actor, *, new_password: str, username: str | None = None,
    current_password: str | None = None, now: datetime | None = None,
) -> None:
    """Set a password: your own (with the current one, if you have one) or, as a system
    administrator, anyone's. Resets the failed-attempt delay."""
    now = now or utc_now()
    target_name = username or actor.username
    own = target_name == actor.username
    if not own:
        actor.require(Action.MANAGE_USERS)
    user = _user_by_name(session, target_name)
    if user is None:
        raise NotFound(f"Användaren {target_name} finns inte.")
    if own and user.password_hash and not verify_password(user.password_hash, current_password or ""):
        raise PermissionDenied("Det nuvarande lösenordet stämmer inte. Lösenordet ändrades inte.")
    problems = password_problems(new_password, username=user.username, full_name=user.full_name)
    if problems:
        raise ValidationError(problems)
    user.password_hash = hash_password(new_password)
    state = _state(session, user)
    state.failed_attempts = 0
    state.retry_after = None
    state.password_changed_at = now
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="password_set",
        entity_type="user", entity_id=user.id,
        details={"username": user.username, "own": own}, now=now,
    )


def sign_in_required(session: Session, *, shared_server: bool, os_account: str) -> bool:
    """Whether the GUI must ask for a password at start.

    On the embedded database the OS login identifies the user, so only a user who has
    chosen a password is asked. On a shared server everyone is asked, except on a fresh
    installation where no one has a password yet (the first administrator sets one).
    """
    if shared_server:
        return any_password_set(session)
    username = username_for_os_account(session, os_account)
    user = _user_by_name(session, username) if username else None
    return bool(user is not None and user.password_hash)


def os_actor_unless_sign_in(session: Session, *, shared_server: bool) -> Actor | None:
    """At GUI start: the OS account's user, or None when a sign-in is required first."""
    if sign_in_required(session, shared_server=shared_server, os_account=current_os_account()):
        return None
    return ensure_os_user(session)


IDLE_LOCK_KEY = "idle_lock_minutes"


def idle_lock_minutes(session: Session) -> float:
    """Minutes without keyboard or mouse use before the GUI hides case data."""
    return float(setting(session, IDLE_LOCK_KEY))


def set_idle_lock_minutes(
    session: Session, actor: Actor, minutes: int, *, now: datetime | None = None
) -> None:
    """Change the idle-lock time for everyone (system administrators only; audited)."""
    actor.require(Action.MANAGE_SETTINGS)
    if not 1 <= minutes <= 60:
        raise ValidationError(["Tiden till skärmlåset ska vara mellan 1 och 60 minuter."])
    previous = idle_lock_minutes(session)
    put_setting(session, IDLE_LOCK_KEY, minutes)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="setting_changed",
        entity_type="setting", details={"key": IDLE_LOCK_KEY, "from": previous, "to": minutes},
        now=now or utc_now(),
    )
