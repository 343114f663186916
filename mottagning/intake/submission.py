"""What one e-service inbox file turned out to be: the results of `parse_submission`.

Plain frozen records without behaviour beyond a few derived flags, so that the importer,
the quarantine screen and tests can share them without importing the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from mottagning.rules.codes import codes


@dataclass(frozen=True)
class Address:
    street: str | None
    postal_code: str | None
    city: str | None


@dataclass(frozen=True)
class Reporter:
    """The reporter; every identifying field is None when `anonymous` is true."""

    category: str | None
    """A known reporter code, or None when missing or unknown (then there is a warning)."""
    anonymous: bool
    name: str | None
    organisation: str | None
    role: str | None
    phone: str | None
    email: str | None
    wants_feedback: bool

    @property
    def mandatory(self) -> bool:
        """Whether the category is a mandatory reporter ("anmälningsskyldig")."""
        return self.category in codes().mandatory_reporters


@dataclass(frozen=True)
class Child:
    personnummer: str | None
    """Normalised `YYYYMMDD-NNNN` (also with a bad check digit: there is a warning then)."""
    personnummer_as_received: str | None
    """The text as written, kept so a number that did not parse is not lost to the worker."""
    name: str | None
    birth_date: date | None
    address: Address | None
    school: str | None
    protected_identity: bool = False


@dataclass(frozen=True)
class Guardian:
    name: str | None
    personnummer: str | None
    personnummer_as_received: str | None
    phone: str | None
    address: Address | None
    relation: str | None
    protected_identity: bool = False


@dataclass(frozen=True)
class Concern:
    categories: tuple[str, ...]
    """Known concern codes in the order given; unknown ones are named in a warning."""
    description: str
    """The reporter's own words, verbatim."""
    immediate_danger: bool
    guardians_informed: bool | None
    child_informed: bool | None

    @property
    def violence(self) -> bool:
        """A violence code is present: the item is flagged (HSLF-FS 2022:39)."""
        return not codes().violence_concerns.isdisjoint(self.categories)


@dataclass(frozen=True)
class Attachment:
    filename: str
    """A bare file name (no folders); for an anonymous reporter never one naming them."""
    media_type: str
    content: bytes | None = field(repr=False)
    """The decoded bytes; None when the base64 could not be decoded (there is a warning)."""
    sha256: str | None


@dataclass(frozen=True)
class ParsedSubmission:
    """A readable submission, to be registered as one report (one queue item per child)."""

    file_name: str
    source: str
    submission_id: str
    sequence: int | None
    """None when missing or not an integer: left out of gap detection (with a warning)."""
    submitted_at: datetime
    """Timezone-aware; deadlines count from it."""
    claimed_submitted_at: datetime | None
    """The file's own `submitted_at` when it was in the future and replaced by `now`."""
    received_at: datetime
    """When the file arrived in the inbox (its modification time)."""
    late_delivery: timedelta | None
    """The delay when the file arrived more than 24 h after `submitted_at`; a note only."""
    reporter: Reporter
    children: tuple[Child, ...]
    guardians: tuple[Guardian, ...]
    concern: Concern
    attachments: tuple[Attachment, ...]
    warnings: tuple[str, ...]
    """Data-quality warnings in Swedish, for the worker to correct."""
    stored_original: bytes = field(repr=False)
    """The bytes for the database: the file as received, or re-serialised JSON when the
    reporter is anonymous (identity removed) or the file repeated a field name."""
    sha256: str
    """SHA-256 (hex) of the file exactly as received."""
    content_key: str
    """Equal for two deliveries with the same content; see `parse.content_key_of`."""


@dataclass(frozen=True)
class Unreadable:
    """A file that cannot be registered automatically: it goes to quarantine."""

    reason_sv: str
    reason_en: str
    partial: dict[str, Any] | None = field(default=None, repr=False)
    """What could be read, for prefilling a manual registration (an anonymous reporter's
    identity removed); None when the file was not a JSON object."""
    anonymised: bytes | None = field(default=None, repr=False)
    """For a file readable enough to show an anonymous reporter: the content to keep in
    quarantine instead of the file as received (identifying reporter fields removed)."""
