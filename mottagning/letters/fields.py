"""The values and conditions a template may use, computed from a letter request.

A value the request does not have is None, so that filling a template can list every
gap at once. Which reporter details may appear is decided here and in rules.py, never
by a template.
"""

from __future__ import annotations

from mottagning.letters.model import (
    FeedbackOutcome,
    LetterKind,
    LetterRequest,
    MunicipalityProfile,
    RecipientRole,
)
from mottagning.rules.outcomes import Outcome
from mottagning.terminal import one_line
from mottagning.timeutil import format_date_sv, to_local

WEEKDAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")

_FEEDBACK_CONDITIONS = {
    FeedbackOutcome.OPENED: "utredning_inleds",
    FeedbackOutcome.NOT_OPENED: "utredning_inleds_inte",
    FeedbackOutcome.ALREADY_UNDER_WAY: "pagaende_utredning",
}


def _text(value: str | None) -> str | None:
    """A stripped value without control characters, or None when there is nothing to print."""
    value = one_line(value or "").strip()
    return value or None


def _unbroken(value: str | None) -> str | None:
    """Join with no-break spaces: a date, time, phone number or reference split over two
    lines is easy to misread."""
    return value.replace(" ", "\N{NO-BREAK SPACE}") if value else None


def reporter_organisation_for_family(request: LetterRequest) -> str | None:
    """The reporter's organisation when a letter to the family may name it.

    Only a mandatory reporter acting in their role may be named, and then only by
    organisation: the individual professional's name never goes to the family.
    """
    reporter = request.reporter
    if reporter is None or not reporter.is_mandatory:
        return None
    return _text(reporter.organisation)


def letter_values(request: LetterRequest, profile: MunicipalityProfile) -> dict[str, str | None]:
    """Placeholder name -> printed value (None when the request lacks it)."""
    values: dict[str, str | None] = {
        "mottagarens_namn": _text(request.recipient.name),
        "barnets_namn": _text(request.child_name),
        "barnets_personnummer": _text(request.child_personnummer),
        "referens": _unbroken(_text(request.case_reference)),
        "datum": _unbroken(format_date_sv(request.issued_on)),
        "kommun": _text(profile.municipality),
        "enhet": _text(profile.unit),
        "telefon": _unbroken(_text(profile.phone)),
        "telefontider": _text(profile.phone_hours),
        "epost": _text(profile.email),
        "handlaggare": _text(request.signer_name),
        "titel": _text(request.signer_title),
        "anmalan_inkom": (
            _unbroken(format_date_sv(request.report_received_on)) if request.report_received_on else None
        ),
        "mottagande_kommun": _text(request.forwarded_to),
        "anmalare": reporter_organisation_for_family(request),
    }
    meeting = request.meeting
    if meeting is None:
        values.update(dict.fromkeys(
            ("veckodag", "motesdatum", "klockslag", "motesplats", "traffar", "ombokning", "tolksprak")
        ))
    else:
        start = to_local(meeting.start)
        values.update({
            "veckodag": WEEKDAYS_SV[start.weekday()],
            "motesdatum": _unbroken(format_date_sv(start)),
            "klockslag": _unbroken(f"kl. {start:%H.%M}"),
            "motesplats": _text(meeting.place),
            "traffar": _text(meeting.meeting_with),
            "ombokning": _text(meeting.rebooking),
            "tolksprak": _text(meeting.interpreter_language),
        })
    return values


def letter_conditions(request: LetterRequest) -> set[str]:
    """The template conditions that hold for this request."""
    conditions: set[str] = set()
    kind, reporter = request.kind, request.reporter
    if kind in (LetterKind.KALLELSE, LetterKind.UNDERRATTELSE):
        if reporter_organisation_for_family(request):
            conditions.add("anmalare_kan_namnas")
    if kind is LetterKind.KALLELSE:
        to_child = request.recipient.role is RecipientRole.CHILD
        conditions.add("till_barnet" if to_child else "till_vardnadshavare")
        if request.meeting and _text(request.meeting.interpreter_language):
            conditions.add("tolk")
    elif kind is LetterKind.UNDERRATTELSE and request.decision is not None:
        conditions.add(request.decision.value)
        if request.open_support_offered and request.decision is Outcome.INTE_INLEDA_UTREDNING:
            conditions.add("oppet_stod")
    elif kind is LetterKind.ATERKOPPLING and request.feedback is not None:
        conditions.add(_FEEDBACK_CONDITIONS[request.feedback])
    elif kind is LetterKind.BEKRAFTELSE and reporter is not None:
        if not reporter.is_mandatory:
            conditions.add("privatperson")
        elif reporter.wants_feedback:
            conditions.add("aterkoppling_begard")
        else:
            conditions.add("kan_begara_aterkoppling")
    return conditions
