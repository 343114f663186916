"""Re-authentication for a signature: a signature is a deliberate act.

A user with a password signs by entering it again. Until every user has one (sign-in
arrives with the security work), a user without a password confirms by typing the
phrase the screen shows, which names what is being signed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mottagning.context import Actor
from mottagning.errors import PermissionDenied
from mottagning.models import User


def signature_method(session: Session, actor: Actor) -> str:
    """'password' or 'phrase': what the signing dialog must ask for."""
    user = session.get(User, actor.user_id)
    return "password" if user is not None and user.password_hash else "phrase"


def verify_signature(session: Session, actor: Actor, secret: str, *, expected_phrase: str) -> None:
    """Raise PermissionDenied unless `secret` re-authenticates `actor` for this signature."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PermissionDenied("Användaren finns inte eller är inaktiverad.")
    if user.password_hash:
        from mottagning.access.auth import verify_password  # the security area's module

        if not verify_password(user.password_hash, secret):
            raise PermissionDenied("Fel lösenord. Signaturen gjordes inte.")
        return
    if " ".join(secret.split()).casefold() != " ".join(expected_phrase.split()).casefold():
        raise PermissionDenied(
            f"Skriv ”{expected_phrase}” för att bekräfta signaturen. Signaturen gjordes inte."
        )
