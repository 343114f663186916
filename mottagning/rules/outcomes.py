"""The decision that ends the förhandsbedömning: its four outcomes (codes as in the domain).

The one enum of outcomes: the decision service, the sign-off pane, the letters and the
statistics all use it.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    INLEDA_UTREDNING = "inleda_utredning"
    INTE_INLEDA_UTREDNING = "inte_inleda_utredning"
    TILLFORS_PAGAENDE_UTREDNING = "tillfors_pagaende_utredning"
    VIDAREBEFORDRAS = "vidarebefordras"


OUTCOME_LABELS_SV = {
    Outcome.INLEDA_UTREDNING: "Inleda utredning",
    Outcome.INTE_INLEDA_UTREDNING: "Inte inleda utredning",
    Outcome.TILLFORS_PAGAENDE_UTREDNING: "Tillförs pågående utredning",
    Outcome.VIDAREBEFORDRAS: "Vidarebefordras till annan kommun",
}
