"""Openers for the drafts offered at start-up that belong to a queue item's screen: the
skyddsbedömning (answers that waited on this computer, answers that met a colleague's) and
the correction of a report's concern codes. Each opens the screen, which then offers its
draft back (or saves the waiting answers) as usual."""

from __future__ import annotations

from collections.abc import Callable

from mottagning.rules.permissions import Action, allowed
from ui.widgets.autosave import DraftOpener


def item_draft_openers(window) -> dict[str, DraftOpener]:  # type: ignore[no-untyped-def]
    return {
        "assessment_pending": lambda key: open_assessment_of(window, key),
        "assessment_conflict": lambda key: _open_found_item(
            window, key, _conflict_item, lambda item_id: open_assessment_of(window, str(item_id))),
        "concern_correction": lambda key: _open_found_item(
            window, key, _report_item, lambda item_id: _correct_concerns(window, item_id)),
    }


def open_assessment_of(window, key: str) -> None:  # type: ignore[no-untyped-def]
    """The skyddsbedömning of the item `key` (its id) in its own window."""
    if not key.isdigit() or not allowed(window.actor.roles, Action.ASSESS):
        return
    from ui.assessment.screen import open_assessment

    window.select_item(int(key))  # its report beside it when the item is in the queue
    window.detail.assessment_window = open_assessment(window, window.ops, window.actor,
                                                      int(key), clock=window.clock)


def _conflict_item(actor, key: str):  # type: ignore[no-untyped-def]
    from mottagning.assessment.service import item_of_conflict_draft

    return lambda session: item_of_conflict_draft(session, actor, key)


def _report_item(actor, key: str):  # type: ignore[no-untyped-def]
    from mottagning.intake.concern_flags import item_of_report

    return lambda session: item_of_report(session, actor, int(key))


def _open_found_item(window, key: str, find, open_item: Callable[[int], None]) -> None:  # type: ignore[no-untyped-def]
    """The draft's key names a report or an assessment: find its queue item, then open."""
    if not key.split(":", 1)[0].isdigit():
        return

    def found(item_id: int | None) -> None:
        if item_id is None:
            window.statusBar().showMessage(window.tr(
                "Ärendet till utkastet finns inte längre."), 10000)
            return
        open_item(item_id)

    window.ops.query(find(window.actor, key), success=found)


def _correct_concerns(window, item_id: int) -> None:  # type: ignore[no-untyped-def]
    """Select the item and open the correction of its report once its detail is shown."""
    detail = window.detail
    if not window.select_item(item_id):
        window.statusBar().showMessage(window.tr(
            "Ärendet till utkastet finns inte i den inlästa kön; välj det och öppna formuläret."),
            10000)
        return
    if detail.detail is not None and detail.detail.row.id == item_id:
        detail.correct_concerns()
        return

    def loaded(shown: int) -> None:
        if shown != detail.item_id:
            detail.sig_loaded.disconnect(loaded)  # the worker chose another item meanwhile
            return
        if shown == item_id:
            detail.sig_loaded.disconnect(loaded)
            detail.correct_concerns()

    detail.sig_loaded.connect(loaded)
