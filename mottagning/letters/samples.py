"""Fictitious letter requests: for the template editor's live preview, tests and benchmarks.

Every sample is marked demo, so a sample can never be mistaken for a letter to send.
"""

from __future__ import annotations

from datetime import date, datetime

from mottagning.letters.model import (
    Address,
    FeedbackOutcome,
    LetterKind,
    LetterRequest,
    Meeting,
    MunicipalityProfile,
    Recipient,
    RecipientRole,
    ReporterInfo,
)
from mottagning.rules.outcomes import Outcome
from mottagning.timeutil import STOCKHOLM


def sample_profile() -> MunicipalityProfile:
    return MunicipalityProfile(
        municipality="Exempelby kommun",
        unit="Socialförvaltningen, Barn och familj – Mottagningsenheten",
        visiting_address="Storgatan 12, Exempelby",
        postal_address_lines=("Box 100", "123 45 Exempelby"),
        phone="0123-45 67 00",
        phone_hours="vardagar kl. 8.30–10.00",
        email="mottagningen@exempelby.se",
    )


def sample_request(kind: LetterKind | str) -> LetterRequest:
    """A complete, valid request of `kind` with fictitious people."""
    kind = LetterKind(kind)
    common = {
        "kind": kind,
        "child_name": "Elsa Lindqvist",
        "child_personnummer": "20150312-2382",
        "case_reference": "BoF 2026-0417",
        "issued_on": date(2026, 11, 16),
        "report_received_on": date(2026, 11, 9),
        "signer_name": "Maria Ekström",
        "signer_title": "Socialsekreterare",
        "demo": True,
    }
    guardian = Recipient(
        name="Sofia Lindqvist",
        role=RecipientRole.GUARDIAN,
        address=Address("Björkvägen 7", "123 52", "Exempelby"),
    )
    teacher = ReporterInfo(
        category="skola", name="Karin Berg", organisation="Ekbackens skola", wants_feedback=True
    )
    if kind is LetterKind.KALLELSE:
        meeting = Meeting(
            start=datetime(2026, 11, 23, 14, 30, tzinfo=STOCKHOLM),
            place="Socialtjänstens lokaler, Storgatan 12, plan 3. Anmäl dig i receptionen.",
            meeting_with="Maria Ekström och Johan Nyberg, socialsekreterare",
            rebooking="Ring Maria Ekström på 0123-45 67 12 så bokar vi en ny tid.",
            interpreter_language="arabiska",
        )
        return LetterRequest(recipient=guardian, meeting=meeting, reporter=teacher, **common)
    if kind is LetterKind.UNDERRATTELSE:
        return LetterRequest(
            recipient=guardian, decision=Outcome.INTE_INLEDA_UTREDNING,
            open_support_offered=True, reporter=teacher, **common,
        )
    reporter_recipient = Recipient(
        name="Karin Berg",
        role=RecipientRole.REPORTER,
        organisation="Ekbackens skola",
        address=Address("Skolvägen 3", "123 60", "Exempelby"),
    )
    if kind is LetterKind.ATERKOPPLING:
        return LetterRequest(
            recipient=reporter_recipient, feedback=FeedbackOutcome.OPENED, reporter=teacher, **common
        )
    return LetterRequest(recipient=reporter_recipient, reporter=teacher, **common)
