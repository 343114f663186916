"""Secrets: the embedded database's keys and the PostgreSQL password, kept in the keyring.

One random 256-bit key per database file, stored under service "mottagning" with the file's
absolute path as the name. The same key written for people (base32 in groups) is the
recovery key, shown once when the file is created. Where no keyring backend exists
(headless Linux, CI, containers) the key comes from MOTTAGNING_DB_KEY or a prompt that the
caller supplies (`KeyPrompts`: getpass in the CLI, a dialog in the GUI).

Nothing here ever writes a key or a password to a file, a setting or a log.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from mottagning.errors import DatabaseError

DB_SERVICE = "mottagning"
PG_SERVICE = "mottagning-postgresql"
ENV_KEY = "MOTTAGNING_DB_KEY"
KEY_BYTES = 32
ATTEMPTS = 3

NO_KEYRING_SV = (
    "Den här datorn har ingen nyckelring där databasens nyckel kan sparas, så nyckeln "
    "måste anges varje gång: i miljövariabeln MOTTAGNING_DB_KEY eller när programmet frågar."
)


class DbKey:
    """A raw 256-bit SQLCipher key; its repr never shows the key."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes):
        if len(raw) != KEY_BYTES:
            raise ValueError("a database key is 32 bytes")
        self._raw = raw

    @classmethod
    def generate(cls) -> DbKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def parse(cls, text: str) -> DbKey:
        """64 hex digits, or the recovery key (52 base32 letters; spaces and dashes ignored)."""
        compact = "".join(text.split()).replace("-", "").upper()
        try:
            if len(compact) == 2 * KEY_BYTES:
                return cls(binascii.unhexlify(compact))
            if len(compact) == 52:
                # Base32 has no 0, 1 or 8: read them as the letters they are mistaken for.
                letters = compact.translate(str.maketrans("018", "OIB"))
                return cls(base64.b32decode(letters + "====")[:KEY_BYTES])
        except (binascii.Error, ValueError):
            pass
        raise DatabaseError(
            "Nyckeln har fel form. Ange återställningsnyckeln (13 grupper om 4 tecken) "
            "eller 64 hexadecimala tecken."
        )

    @property
    def hex(self) -> str:
        return self._raw.hex()

    def pragma_value(self) -> str:
        """The value for `PRAGMA key = "…"`: a raw key, so SQLCipher skips its slow KDF."""
        return f"x'{self._raw.hex()}'"

    def recovery_text(self) -> str:
        letters = base64.b32encode(self._raw).decode("ascii").rstrip("=")
        return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DbKey) and secrets.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return "DbKey(…)"


@dataclass(frozen=True)
class KeyPrompts:
    """How the program talks to the person about keys; the CLI and the GUI supply their own.

    ask_key(file, message) returns the typed key or None when the person cancels;
    show_recovery_key(file, recovery_key, message) shows a new recovery key once;
    notify(message) tells something the person must know (e.g. a kept unencrypted copy).
    """

    ask_key: Callable[[Path, str], str | None]
    show_recovery_key: Callable[[Path, str, str], None]
    notify: Callable[[str], None]


def keyring_available() -> bool:
    """False on keyring's fail backend (no Secret Service, no KWallet, no macOS Keychain…)."""
    import keyring  # when a key is looked for, not at import (a started GUI may never need it)
    from keyring.backends import fail
    from keyring.errors import KeyringError

    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except KeyringError:
        return False


def _get(service: str, name: str) -> str | None:
    if not keyring_available():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(service, name)
    except KeyringError:
        return None


def _set(service: str, name: str, secret: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(service, name, secret)
    except KeyringError as exc:
        raise DatabaseError(f"Nyckelringen gick inte att skriva till ({exc}). {NO_KEYRING_SV}") from exc


def _file_name(path: Path) -> str:
    return str(path.resolve())


def stored_key(path: Path) -> DbKey | None:
    text = _get(DB_SERVICE, _file_name(path))
    if not text:
        return None
    try:
        return DbKey.parse(text)
    except DatabaseError:
        return None


def store_key(path: Path, key: DbKey) -> None:
    _set(DB_SERVICE, _file_name(path), key.hex)


def forget_key(path: Path) -> None:
    """Remove a file's key (after the file itself was removed, e.g. a failed restore)."""
    if not keyring_available():
        return
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.delete_password(DB_SERVICE, _file_name(path))
    except KeyringError:
        pass


def env_key() -> DbKey | None:
    text = os.environ.get(ENV_KEY, "").strip()
    if not text:
        return None
    try:
        return DbKey.parse(text)
    except DatabaseError as exc:
        raise DatabaseError(f"{ENV_KEY} har fel form. {exc}") from exc


def key_for_new_file(path: Path, prompts: KeyPrompts | None) -> DbKey:
    """The key for a database file about to be created.

    MOTTAGNING_DB_KEY when set (its holder already has the key); otherwise a new random
    key, kept in the keyring and shown once as the recovery key.
    """
    key = env_key()
    if key is not None:
        return key
    key = DbKey.generate()
    if keyring_available():
        store_key(path, key)
        if prompts is not None:
            prompts.show_recovery_key(path, key.recovery_text(), (
                "Databasen krypteras. Nyckeln är sparad i datorns nyckelring. Skriv ut eller "
                "skriv av återställningsnyckeln och förvara den inlåst: utan den går "
                "uppgifterna inte att läsa om nyckelringen försvinner (ny dator, nytt konto). "
                "Den visas bara den här gången."
            ))
        return key
    if prompts is None:
        raise DatabaseError(
            f"Databasen {path} kan inte skapas: {NO_KEYRING_SV} Sätt MOTTAGNING_DB_KEY till en "
            "ny nyckel (64 hexadecimala tecken, t.ex. från "
            "python3 -c 'import secrets; print(secrets.token_hex(32))') och försök igen."
        )
    prompts.show_recovery_key(path, key.recovery_text(), (
        f"Databasen krypteras. {NO_KEYRING_SV} Skriv ut eller skriv av nyckeln nu och "
        "förvara den inlåst: den visas bara den här gången och utan den går uppgifterna "
        "inte att läsa."
    ))
    return key


def key_for_existing_file(
    path: Path, prompts: KeyPrompts | None, opens: Callable[[DbKey], bool], *,
    label: str = "Databasen",
) -> DbKey:
    """The key that opens an existing encrypted file: MOTTAGNING_DB_KEY, the keyring, a prompt.

    A key typed at the prompt is kept in the keyring when there is one, so the recovery
    key restores access after a lost keyring. Raises DatabaseError (Swedish) when none fits.
    """
    from_env = env_key()
    if from_env is not None and opens(from_env):
        return from_env
    has_keyring = keyring_available()
    from_keyring = stored_key(path) if has_keyring else None
    if from_keyring is not None and opens(from_keyring):
        return from_keyring
    if from_env is not None:
        problem = f"Nyckeln i {ENV_KEY} öppnar inte {label.lower()} {path}."
    elif from_keyring is not None:
        problem = (f"Nyckeln i nyckelringen öppnar inte {label.lower()} {path}; filen kan ha bytts ut "
                   "eller återställts från en annan dator.")
    elif has_keyring:
        problem = f"Nyckeln till {label.lower()} {path} finns inte i den här datorns nyckelring."
    else:
        problem = (f"{label} {path} är krypterad, och den här datorn har ingen nyckelring "
                   "där nyckeln kan sparas.")
    if prompts is not None:
        message = f"{problem} Ange återställningsnyckeln."
        for _attempt in range(ATTEMPTS):
            typed = prompts.ask_key(path, message)
            if typed is None:
                break
            try:
                key = DbKey.parse(typed)
            except DatabaseError as exc:
                message = str(exc)
                continue
            if opens(key):
                if has_keyring:
                    store_key(path, key)
                return key
            message = "Nyckeln stämmer inte. Försök igen."
    raise DatabaseError(
        f"{problem} Ange återställningsnyckeln i {ENV_KEY} eller när programmet frågar efter "
        "den. Ingenting har ändrats."
    )


def cli_prompts() -> KeyPrompts:
    """Prompts for the command line: getpass on a terminal; messages on stderr (stdout
    stays clean for --json)."""

    def ask_key(path: Path, message: str) -> str | None:
        if not sys.stdin.isatty():
            return None
        print(message, file=sys.stderr)
        try:
            return getpass.getpass("Nyckel: ", stream=sys.stderr)
        except EOFError:
            return None

    def show_recovery_key(path: Path, recovery: str, message: str) -> None:
        rule = "=" * 72
        print(f"{rule}\nÅTERSTÄLLNINGSNYCKEL för {path}\n\n    {recovery}\n\n{message}\n{rule}",
              file=sys.stderr)

    def notify(message: str) -> None:
        print(f"mottagning: {message}", file=sys.stderr)

    return KeyPrompts(ask_key, show_recovery_key, notify)


# --- the PostgreSQL password -------------------------------------------------------------

def pg_account(url: URL) -> str:
    """The keyring name of a server account: user@host[:port]/database."""
    port = f":{url.port}" if url.port else ""
    return f"{url.username or getpass.getuser()}@{url.host or 'localhost'}{port}/{url.database or ''}"


def pg_password(url: URL) -> str | None:
    """The password from the keyring; None leaves it to libpq (PGPASSWORD, ~/.pgpass)."""
    return _get(PG_SERVICE, pg_account(url))


def store_pg_password(url: URL, password: str) -> str:
    if not keyring_available():
        raise DatabaseError(
            "Den här datorn har ingen nyckelring att spara lösenordet i. Använd PostgreSQL:s "
            "egna sätt i stället: miljövariabeln PGPASSWORD eller filen ~/.pgpass."
        )
    account = pg_account(url)
    _set(PG_SERVICE, account, password)
    return account
