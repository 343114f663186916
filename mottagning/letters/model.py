"""Plain input and output records of the letter engine.

The engine knows no database: callers (services, CLI, GUI) build these frozen records
from whatever they store, so the same request always renders the same letter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from mottagning.rules.codes import codes
from mottagning.rules.outcomes import Outcome


class LetterKind(StrEnum):
    KALLELSE = "kallelse"
    UNDERRATTELSE = "underrattelse"
    ATERKOPPLING = "aterkoppling"
    BEKRAFTELSE = "bekraftelse"


class RecipientRole(StrEnum):
    GUARDIAN = "guardian"
    CHILD = "child"
    REPORTER = "reporter"


class FeedbackOutcome(StrEnum):
    """The only three things an återkoppling may say."""

    OPENED = "opened"
    NOT_OPENED = "not_opened"
    ALREADY_UNDER_WAY = "already_under_way"


class LetterError(Exception):
    """A letter that cannot be produced; the message is Swedish and shown to the user."""


class LetterRefused(LetterError):
    """A hard rule forbids this letter (secrecy, protected identity, wrong recipient)."""


class LetterIncomplete(LetterError):
    """The letter lacks data; `missing` lists every missing item in Swedish."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__("Brevet kan inte skapas. Uppgifter saknas: " + "; ".join(self.missing) + ".")


@dataclass(frozen=True)
class MunicipalityProfile:
    """The letterhead and footer: who sends the letter and how to reach them."""

    municipality: str
    unit: str
    visiting_address: str
    postal_address_lines: tuple[str, ...]
    phone: str
    phone_hours: str
    email: str
    logo_path: Path | None = None


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str

    def lines(self) -> tuple[str, str]:
        return self.street, f"{self.postal_code} {self.city}"


@dataclass(frozen=True)
class Recipient:
    """Who the letter is addressed to; `personnummer` is needed only for forwarding
    via Skatteverket when the identity is protected."""

    name: str
    role: RecipientRole
    address: Address | None = None
    protected_identity: bool = False
    organisation: str | None = None
    personnummer: str | None = None


@dataclass(frozen=True)
class ReporterInfo:
    """The reporter of the concern report; an anonymous reporter carries no identity."""

    category: str
    anonymous: bool = False
    name: str | None = None
    organisation: str | None = None
    wants_feedback: bool = False

    def __post_init__(self) -> None:
        if self.is_anonymous and (self.name or self.organisation):
            raise ValueError("En anonym anmälare får inte ha namn eller organisation.")

    @property
    def is_anonymous(self) -> bool:
        return self.anonymous or self.category == "anonym"

    @property
    def is_mandatory(self) -> bool:
        """A mandatory reporter acting in their role (the code list decides which)."""
        return not self.is_anonymous and self.category in codes().mandatory_reporters


@dataclass(frozen=True)
class Meeting:
    """The meeting a kallelse calls to; `start` must be timezone-aware."""

    start: datetime
    place: str
    meeting_with: str
    rebooking: str
    interpreter_language: str | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("Mötestiden måste ha en tidszon.")


@dataclass(frozen=True)
class LetterRequest:
    """Everything one letter to one recipient needs.

    Only the fields the chosen kind uses must be set; the engine lists whatever is
    missing instead of printing a half letter.
    """

    kind: LetterKind
    recipient: Recipient
    child_name: str
    case_reference: str
    issued_on: date
    signer_name: str
    signer_title: str
    child_personnummer: str | None = None
    child_birth_date: date | None = None
    report_received_on: date | None = None
    meeting: Meeting | None = None
    decision: Outcome | None = None
    open_support_offered: bool = False
    forwarded_to: str | None = None
    feedback: FeedbackOutcome | None = None
    reporter: ReporterInfo | None = None
    demo: bool = False


@dataclass(frozen=True)
class RenderedLetter:
    """A finished letter as issued: store `pdf` and `sha256` with `template_version`."""

    pdf: bytes
    sha256: str
    template_version: int
    page_count: int
    warnings: list[str] = field(default_factory=list)
