"""The Kalibrering page (issue 17): vignettes, rounds, agreement, the review meeting."""

from __future__ import annotations

from mottagning.rules.permissions import Action, allowed
from ui.calibration.page import CalibrationPage


def install(window) -> CalibrationPage | None:  # type: ignore[no-untyped-def]
    """The Kalibrering page for everyone who may answer vignettes (workers and seniors)."""
    if not allowed(window.actor.roles, Action.CALIBRATE):
        return None
    page = CalibrationPage(window.ops, window.actor, clock=window.clock)
    window.add_page(window.tr("Kalibrering"), page)
    return page
