"""Calibration actions of the GUI, one core call each (Anki's aqt/operations/<area>.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mottagning.calibration import results
from mottagning.context import Actor
from ui.operations import Failure, Operations, Success
from ui.operations.progress import LongJob, Progress, ShouldCancel

RoundFigures = tuple[results.RoundResults, list[results.RoundAlpha]]


def compute_round_results(ops: Operations, actor: Actor, round_id: int, *,
                          success: Success | None = None,
                          failure: Failure | None = None) -> LongJob:
    """A round's agreement figures and α over the rounds, beside the database worker (the
    bootstrap takes seconds). Cancelling delivers None."""
    database = ops.database

    def run(progress: Progress, should_cancel: ShouldCancel) -> RoundFigures | None:
        with database.transaction() as session:
            try:
                figures = results.round_results(session, actor, round_id, progress=progress,
                                                should_cancel=should_cancel)
            except results.Cancelled:
                return None
            return figures, results.alpha_history(session, actor)

    return ops.long(run, label=QCoreApplication.translate(
        "calibration", "Samstämmigheten beräknas…"), success=success, failure=failure)
