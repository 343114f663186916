"""The hard rules of letters, enforced by the engine whatever a template says.

A letter that leaks a protected address or a private reporter's name can put a child
in danger, so these checks run on the final text and refuse rather than warn.
"""

from __future__ import annotations

import re
from datetime import date

from mottagning.letters.model import (
    LetterIncomplete,
    LetterKind,
    LetterRefused,
    LetterRequest,
    Recipient,
    RecipientRole,
)
from mottagning.letters.templates import KIND_PLACEHOLDERS
from mottagning.rules.codes import reporter_label
from mottagning.rules.outcomes import Outcome
from mottagning.rules.personnummer import parse as parse_personnummer

# Skatteverket forwards mail to people with protected identity: the letter goes in a
# sealed inner envelope marked with the recipient's personnummer, inside an outer
# envelope to this address (skatteverket.se, "Skicka post till någon med skyddade
# personuppgifter").
SKATTEVERKET_FORWARDING = "Skatteverket, Box 2820, 403 20 Göteborg"
FORWARDING_LINE = "c/o Skatteverket, vidarebefordran"

CHILD_OWN_LETTER_AGE = 15

ALLOWED_RECIPIENTS: dict[LetterKind, frozenset[RecipientRole]] = {
    LetterKind.KALLELSE: frozenset({RecipientRole.GUARDIAN, RecipientRole.CHILD}),
    LetterKind.UNDERRATTELSE: frozenset({RecipientRole.GUARDIAN}),
    LetterKind.ATERKOPPLING: frozenset({RecipientRole.REPORTER}),
    LetterKind.BEKRAFTELSE: frozenset({RecipientRole.REPORTER}),
}

_KIND_NAMES = {
    LetterKind.KALLELSE: "En kallelse",
    LetterKind.UNDERRATTELSE: "En underrättelse om beslut",
    LetterKind.ATERKOPPLING: "En återkoppling",
    LetterKind.BEKRAFTELSE: "En mottagningsbekräftelse",
}

_ROLE_NAMES = {
    RecipientRole.GUARDIAN: "en vårdnadshavare",
    RecipientRole.CHILD: "barnet",
    RecipientRole.REPORTER: "anmälaren",
}

# Values a kind needs whatever its template prints, so that editing a template can
# never produce, say, a kallelse without a time.
_REQUIRED_VALUES: dict[LetterKind, tuple[str, ...]] = {
    LetterKind.KALLELSE: ("motesdatum", "klockslag", "motesplats", "traffar"),
    LetterKind.UNDERRATTELSE: ("anmalan_inkom",),
    LetterKind.ATERKOPPLING: ("anmalan_inkom",),
    LetterKind.BEKRAFTELSE: ("anmalan_inkom",),
}


def child_birth_date(request: LetterRequest) -> date | None:
    if request.child_birth_date:
        return request.child_birth_date
    parsed = parse_personnummer(request.child_personnummer or "")
    return parsed.birth_date if parsed else None


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_allowed(request: LetterRequest) -> None:
    """Refuse a letter that no amount of extra data would make allowed."""
    kind, role, reporter = request.kind, request.recipient.role, request.reporter
    if role not in ALLOWED_RECIPIENTS[kind]:
        allowed = " eller ".join(sorted(_ROLE_NAMES[r] for r in ALLOWED_RECIPIENTS[kind]))
        raise LetterRefused(f"{_KIND_NAMES[kind]} kan bara skickas till {allowed}.")
    if role is RecipientRole.CHILD:
        birth = child_birth_date(request)
        if birth is not None and _age_on(birth, request.issued_on) < CHILD_OWN_LETTER_AGE:
            raise LetterRefused(
                f"Barnet har inte fyllt {CHILD_OWN_LETTER_AGE} år och kan inte kallas med ett eget brev. "
                "Skicka kallelsen till vårdnadshavarna."
            )
    if kind is LetterKind.ATERKOPPLING and reporter is not None:
        if not reporter.is_mandatory:
            raise LetterRefused(
                "Återkoppling får bara lämnas till en anmälningsskyldig anmälare. "
                f"Den här anmälaren är: {reporter_label(reporter.category)}."
            )
        if not reporter.wants_feedback:
            raise LetterRefused("Anmälaren har inte begärt återkoppling.")
    if kind is LetterKind.BEKRAFTELSE and reporter is not None:
        if reporter.is_anonymous or not (reporter.name or "").strip():
            raise LetterRefused(
                "En mottagningsbekräftelse kan bara skickas till en anmälare som har uppgett namn."
            )


def structural_gaps(request: LetterRequest, values: dict[str, str | None]) -> list[str]:
    """What the request lacks for this kind, independent of the template's wording."""
    missing: list[str] = []
    recipient, kind = request.recipient, request.kind
    if recipient.protected_identity:
        if not (recipient.personnummer or "").strip():
            missing.append("mottagarens personnummer (behövs för vidarebefordran via Skatteverket)")
    elif recipient.address is None:
        missing.append("mottagarens adress (eller markering om skyddade personuppgifter)")
    else:
        for part, label in (("street", "gatuadress"), ("postal_code", "postnummer"), ("city", "postort")):
            if not getattr(recipient.address, part).strip():
                missing.append(f"mottagarens {label}")
    if recipient.role is RecipientRole.CHILD and child_birth_date(request) is None:
        missing.append(f"barnets födelsedatum (för att se att barnet har fyllt {CHILD_OWN_LETTER_AGE} år)")
    if kind in (LetterKind.ATERKOPPLING, LetterKind.BEKRAFTELSE) and request.reporter is None:
        missing.append("uppgifter om anmälaren")
    if kind is LetterKind.UNDERRATTELSE:
        if request.decision is None:
            missing.append("beslutet")
        elif request.decision is Outcome.VIDAREBEFORDRAS and not values.get("mottagande_kommun"):
            missing.append(KIND_PLACEHOLDERS[kind]["mottagande_kommun"])
    if kind is LetterKind.ATERKOPPLING and request.feedback is None:
        missing.append("vad återkopplingen gäller (utredning inledd, inte inledd eller redan pågående)")
    labels = KIND_PLACEHOLDERS[kind]
    missing += [labels[name] for name in _REQUIRED_VALUES[kind] if not values.get(name)]
    return missing


def raise_if_incomplete(*gap_lists: list[str]) -> None:
    """Raise LetterIncomplete listing every gap once, in order of discovery."""
    missing: list[str] = []
    for gaps in gap_lists:
        missing += [gap for gap in gaps if gap not in missing]
    if missing:
        raise LetterIncomplete(missing)


def address_block(recipient: Recipient) -> tuple[list[str], list[str]]:
    """The lines in the envelope window and the warnings they call for.

    A protected recipient's address is never printed, even when the caller has it: the
    letter goes through Skatteverket's forwarding service instead.
    """
    lines = [recipient.name.strip()]
    if recipient.organisation and recipient.organisation.strip():
        lines.append(recipient.organisation.strip())
    if recipient.protected_identity:
        lines += [f"Personnummer {recipient.personnummer.strip()}", FORWARDING_LINE]
        warning = (
            "Mottagaren har skyddade personuppgifter och ingen adress skrivs ut. Lägg brevet i ett "
            "förslutet kuvert märkt med mottagarens personnummer och med vår adress på baksidan. "
            f"Skicka det i ett ytterkuvert till {SKATTEVERKET_FORWARDING}, som vidarebefordrar det."
        )
        return lines, [warning]
    assert recipient.address is not None  # structural_gaps refused a missing address
    return lines + list(recipient.address.lines()), []


def _pattern(needle: str) -> re.Pattern[str]:
    """Match `needle` as whole words, ignoring case and how the whitespace is laid out."""
    words = [re.escape(word) for word in needle.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def forbidden_strings(request: LetterRequest) -> list[tuple[str, str]]:
    """(text, why) pairs that must not appear anywhere in this letter."""
    forbidden: list[tuple[str, str]] = []
    recipient, reporter = request.recipient, request.reporter
    if recipient.protected_identity and recipient.address is not None:
        address = recipient.address
        forbidden += [
            (address.street, "mottagarens skyddade adress"),
            (f"{address.postal_code} {address.city}", "mottagarens skyddade adress"),
        ]
    to_family = recipient.role in (RecipientRole.GUARDIAN, RecipientRole.CHILD)
    if to_family and reporter is not None and not reporter.is_mandatory:
        # The child's or the recipient's own name is already in the letter for its own
        # sake (a child or a family reporting itself); it reveals nothing about who reported.
        own_names = {_normal(request.child_name), _normal(recipient.name)}
        for identity in (reporter.name, reporter.organisation):
            if identity and identity.strip() and _normal(identity) not in own_names:
                forbidden.append((identity, "anmälarens identitet (anmälaren är inte anmälningsskyldig)"))
    return [(text, why) for text, why in forbidden if text.strip()]


def _normal(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def check_secrecy(request: LetterRequest, text: str) -> None:
    """Refuse when the final text of the letter contains anything it must not."""
    for needle, why in forbidden_strings(request):
        if _pattern(needle).search(text):
            raise LetterRefused(
                f"Brevet stoppades: texten innehåller {why}. Ta bort uppgiften ur brevets fält "
                "(till exempel mötesplats eller ombokning) och försök igen."
            )
