"""Users and their roles; the mapping from the OS account to a user."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

try:
    import pwd
except ImportError:  # Windows
    pwd = None  # type: ignore[assignment]

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.errors import MottagningError, ValidationError
from mottagning.models import User, UserRole
from mottagning.rules.permissions import ROLE_VALUES, Action, Role
from mottagning.timeutil import utc_now

SYSTEM_IMPORT_USER = "e-tjänst"


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    title: str | None
    os_account: str | None
    roles: tuple[str, ...]
    active: bool


def _info(user: User) -> UserInfo:
    return UserInfo(
        user.id, user.username, user.full_name, user.title, user.os_account,
        tuple(sorted(user.role_names)), user.active,
    )


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.full_name, user.role_names)


def current_os_account() -> str:
    """The OS account this process runs as, from the kernel, never from the environment.

    `getpass.getuser()` believes `LOGNAME`/`USER`/`USERNAME`: `USER=root mottagning …`
    acted as the administrator. POSIX: the real user id through the password database;
    Windows: the name of the process token's user.
    """
    if os.name == "nt":
        return _windows_account()
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid without a passwd entry (some containers)
        return f"uid-{os.getuid()}"


def _windows_account() -> str:
    import ctypes

    size = ctypes.c_ulong(257)
    buffer = ctypes.create_unicode_buffer(size.value)
    if not ctypes.windll.advapi32.GetUserNameW(buffer, ctypes.byref(size)):  # type: ignore[attr-defined]
        raise MottagningError("Datorkontot kunde inte fastställas.")
    return buffer.value


def _create(
    session: Session, *, username: str, full_name: str, roles: list[str],
    os_account: str | None, title: str | None, is_system: bool, now: datetime,
) -> User:
    user = User(
        username=username, full_name=full_name, title=title, os_account=os_account,
        active=True, is_system=is_system, created_at=now,
    )
    user.roles = [UserRole(role=r) for r in sorted(set(roles))]
    session.add(user)
    session.flush()
    return user


def ensure_os_user(session: Session, *, os_account: str | None = None) -> Actor:
    """The user mapped to the OS account; on an empty database it is created as senior
    reviewer and system administrator, so a fresh installation can be used at once."""
    os_account = os_account or current_os_account()
    user = session.execute(select(User).where(User.os_account == os_account)).scalar_one_or_none()
    if user is not None:
        if not user.active:
            raise MottagningError(f"Kontot {os_account} är inaktiverat. Kontakta systemförvaltaren.")
        return actor_for(user)
    people = session.execute(
        select(func.count()).select_from(User).where(User.is_system.is_(False))
    ).scalar_one()
    if people:
        raise MottagningError(
            f"Datorkontot ”{os_account}” är inte kopplat till någon användare i Mottagning. "
            "Be en systemförvaltare lägga till dig (mottagning users add)."
        )
    now = utc_now()
    user = _create(
        session, username=os_account, full_name=os_account, roles=[Role.SENIOR, Role.ADMIN],
        os_account=os_account, title=None, is_system=False, now=now,
    )
    audit.record(
        session, actor=user.username, user_id=user.id, action="user_created",
        entity_type="user", entity_id=user.id,
        details={"roles": sorted(user.role_names), "first_user": True}, now=now,
    )
    return actor_for(user)


def system_actor(session: Session, name: str = SYSTEM_IMPORT_USER) -> Actor:
    """The system user (e.g. the e-service importer), created on first use."""
    user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    if user is None:
        try:
            with session.begin_nested():
                user = _create(
                    session, username=name, full_name=name, roles=[Role.ASSISTANT],
                    os_account=None, title=None, is_system=True, now=utc_now(),
                )
        except IntegrityError:
            # Another desk created it a moment ago (two desks starting at once on a server).
            user = session.execute(select(User).where(User.username == name)).scalar_one()
    return actor_for(user)


def add_user(
    session: Session, actor: Actor | None, *, username: str, full_name: str, roles: list[str],
    os_account: str | None = None, title: str | None = None,
) -> UserInfo:
    """Add a user (system administrators only; `actor=None` only for demo and tests)."""
    if actor is not None:
        actor.require(Action.MANAGE_USERS)
    problems = []
    if not username.strip():
        problems.append("Användarnamn saknas.")
    if not full_name.strip():
        problems.append("Namn saknas.")
    unknown = [r for r in roles if r not in ROLE_VALUES]
    if unknown or not roles:
        problems.append(
            "Ange minst en roll av: " + ", ".join(r.value for r in Role)
            + (f" (okänd: {', '.join(unknown)})" if unknown else "")
        )
    if session.execute(select(User.id).where(User.username == username)).first():
        problems.append(f"Användarnamnet ”{username}” finns redan.")
    if os_account and session.execute(select(User.id).where(User.os_account == os_account)).first():
        problems.append(f"Datorkontot ”{os_account}” är redan kopplat till en användare.")
    if problems:
        raise ValidationError(problems)
    now = utc_now()
    user = _create(
        session, username=username.strip(), full_name=full_name.strip(), roles=roles,
        os_account=os_account, title=title, is_system=False, now=now,
    )
    audit.record(
        session, actor=actor.username if actor else "demo", user_id=actor.user_id if actor else None,
        action="user_created", entity_type="user", entity_id=user.id,
        details={"username": user.username, "roles": sorted(user.role_names)}, now=now,
    )
    return _info(user)


def list_users(session: Session, actor: Actor | None = None) -> list[UserInfo]:
    users = session.execute(
        select(User).where(User.is_system.is_(False)).order_by(User.username)
    ).scalars()
    return [_info(u) for u in users]


def update_profile(
    session: Session, actor: Actor, *, username: str | None = None, full_name: str | None = None,
    title: str | None = None,
) -> UserInfo:
    """Change a user's full name and/or title (letters are signed with both): your own, or
    as a system administrator anyone's. Audited with what changed."""
    target = username or actor.username
    if target != actor.username:
        actor.require(Action.MANAGE_USERS)
    user = session.execute(
        select(User).where(User.username == target, User.is_system.is_(False))
    ).scalar_one_or_none()
    if user is None:
        raise ValidationError([f"Användaren ”{target}” finns inte."])
    changed: dict[str, str] = {}
    if full_name is not None:
        if not full_name.strip():
            raise ValidationError(["Namn saknas."])
        user.full_name = changed["full_name"] = full_name.strip()
    if title is not None:
        user.title = title.strip() or None
        changed["title"] = user.title or ""
    if not changed:
        raise ValidationError(["Ange --name eller --title (eller båda)."])
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="user_profile_changed",
        entity_type="user", entity_id=user.id, details={"username": user.username, **changed},
    )
    return _info(user)
