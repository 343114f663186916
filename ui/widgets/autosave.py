"""Autosave of a form into the user's draft, debounced, through the operations worker.

Usable by any form: give it a function that collects the form as a JSON-ready dict.
`check()` looks for a draft left by an earlier session (a crash, a closed window) before
autosave starts, so an old draft is never overwritten by an empty form.

A change is saved once typing pauses for a second, and never later than two seconds after
the first unsaved change, however long the typing goes on: a crash loses at most that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget
from shiboken6 import isValid

from mottagning.access import local_drafts
from mottagning.access.drafts import SavedDraft, discard_draft, load_draft, save_draft
from mottagning.context import Actor
from mottagning.errors import ConnectionLost
from mottagning.i18n import ngettext
from mottagning.timeutil import format_datetime_sv
from ui.operations import Operations
from ui.widgets.style import WARNING_BOX

DELAY_MS = 1000  # a pause in typing this long saves
MAX_WAIT_MS = 2000  # an unsaved change is saved at the latest this long after it was made
RETRY_MS = 3000  # while the server is gone: how often a draft kept locally is tried again


class DraftAutosaver(QObject):
    sig_draft_found = Signal(object)  # SavedDraft from an earlier session
    sig_ready = Signal()  # autosave is running
    sig_saved = Signal(object)  # SavedDraft just written
    sig_kept_locally = Signal()  # the server is gone: the draft waits on this computer

    def __init__(self, ops: Operations, actor: Actor, *, kind: str, key: str,
                 collect: Callable[[], dict[str, Any]], parent: QObject | None = None):
        super().__init__(parent)
        self._ops = ops
        self._actor = actor
        self.kind = kind
        self.key = key
        self._collect = collect
        self._active = False
        self._last_saved: dict[str, Any] | None = None
        self._timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        self._max_wait = QTimer(self, singleShot=True, interval=MAX_WAIT_MS)
        self._max_wait.timeout.connect(self.save_now)
        self._database_name = ops.database.display_name()
        self.kept_locally = False
        """The newest draft waits on this computer: the server could not be reached."""
        self._retry = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry.timeout.connect(self.save_now)

    @property
    def active(self) -> bool:
        return self._active

    def check(self) -> None:
        """Emit `sig_draft_found` for an earlier draft, else start autosaving."""
        actor, kind, key = self._actor, self.kind, self.key
        self._ops.query(lambda session: load_draft(session, actor, kind=kind, key=key),
                        success=self._checked)

    def _checked(self, draft: SavedDraft | None) -> None:
        if draft is None:
            self.start()
        else:
            self._last_saved = draft.content
            self.sig_draft_found.emit(draft)

    def start(self) -> None:
        self._active = True
        self.sig_ready.emit()

    def stop(self) -> None:
        """No more saves (the form is being registered, was discarded or closes): a copy
        left on this computer is saved by the window when the server answers again."""
        self._active = False
        self._timer.stop()
        self._max_wait.stop()
        self._retry.stop()
        local_drafts.release(self._database_name, self._actor.user_id, self.kind, self.key)

    def schedule(self) -> None:
        """A change: save a second after typing pauses, at the latest two seconds from now."""
        if self._active:
            self._timer.start()
            if not self._max_wait.isActive():
                self._max_wait.start()

    def save_now(self) -> None:
        self._timer.stop()
        self._max_wait.stop()
        if not self._active:
            return
        content = self._collect()
        if content == self._last_saved:
            return
        self._last_saved = content
        actor, kind, key = self._actor, self.kind, self.key
        self._ops.mutate(
            lambda session: save_draft(session, actor, kind=kind, key=key, content=content),
            success=self._saved, failure=lambda error: self._save_failed(error, content))

    def _saved(self, draft: SavedDraft) -> None:
        if not isValid(self):
            return  # the form closed while its last save was on the way: the draft is saved
        if self.kept_locally:
            # The server is back: the draft is in the database, once; the local copy goes.
            self.kept_locally = False
            self._retry.stop()
            local_drafts.release(self._database_name, self._actor.user_id, self.kind, self.key)
            local_drafts.forget(self._database_name, self._actor.user_id, self.kind, self.key)
        self.sig_saved.emit(draft)

    def _save_failed(self, error: BaseException, content: dict[str, Any]) -> None:
        self._last_saved = None  # try again on the next change
        if isinstance(error, ConnectionLost):
            # The banner says the server is gone; the draft waits on this computer and is
            # saved as soon as the server answers again (the retry, the next change, or the
            # next start when the form has closed meanwhile).
            local_drafts.keep(local_drafts.LocalDraft(
                self._database_name, self._actor.user_id, self.kind, self.key, content))
            if not isValid(self) or not self._active:
                return  # closed meanwhile: the window saves the copy when the server is back
            local_drafts.hold(self._database_name, self._actor.user_id, self.kind, self.key)
            self.kept_locally = True
            self._retry.start()
            self.sig_kept_locally.emit()
            return
        self._ops.errors.show_error(error)

    def discard(self) -> None:
        """Throw the stored draft away and start afresh."""
        actor, kind, key = self._actor, self.kind, self.key
        self._last_saved = None
        self._ops.mutate(lambda session: discard_draft(session, actor, kind=kind, key=key))


class DraftOffer(QWidget):
    """The bar that offers back a draft from an earlier session: resume it or discard it.

    The form stays disabled (or read-only) until the user has chosen, so the old draft is
    never overwritten by an empty form.
    """

    sig_resume = Signal()
    sig_discard = Signal()

    def __init__(self, *, discard_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("draftOffer")
        self.setStyleSheet(WARNING_BOX)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.resume_button = QPushButton(self.tr("&Fortsätt med utkastet"))
        self.resume_button.setObjectName("resumeDraft")
        self.resume_button.clicked.connect(self._resume)
        self.discard_button = QPushButton(discard_text)
        self.discard_button.setObjectName("discardDraft")
        self.discard_button.clicked.connect(self._discard)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.resume_button)
        layout.addWidget(self.discard_button)
        self.hide()

    def offer(self, text: str) -> None:
        self.label.setText(text)
        self.show()
        self.resume_button.setFocus()

    def _resume(self) -> None:
        self.hide()
        self.sig_resume.emit()

    def _discard(self) -> None:
        self.hide()
        self.sig_discard.emit()


DRAFT_KIND_LABELS = {
    "register_report": QT_TRANSLATE_NOOP("UnsavedDrafts", "Ny anmälan"),
    "decision_proposal": QT_TRANSLATE_NOOP("UnsavedDrafts", "Beslutsförslag"),
    "deadline_extension": QT_TRANSLATE_NOOP("UnsavedDrafts", "Begäran om förlängd tid"),
    "letter_template": QT_TRANSLATE_NOOP("UnsavedDrafts", "Brevmall"),
    "concern_correction": QT_TRANSLATE_NOOP("UnsavedDrafts", "Rättelse av orsaker till oro"),
    "assessment_conflict": QT_TRANSLATE_NOOP("UnsavedDrafts",
                                             "Skyddsbedömning: svar som krockade med en kollegas"),
    "assessment_pending": QT_TRANSLATE_NOOP(
        "UnsavedDrafts", "Skyddsbedömning: svar som inte hann sparas när databasen försvann"),
}

DraftOpener = Callable[[str], None]


def open_item_draft(window, key: str, open_form) -> None:  # type: ignore[no-untyped-def]
    """Open the form of a queue item's draft (key = the item's id) from the start-up offer."""
    if key.isdigit() and window.select_item(int(key)):
        open_form(window)
    else:
        window.statusBar().showMessage(window.tr(
            "Ärendet till utkastet finns inte i den inlästa kön; välj det och öppna formuläret."),
            10000)


class UnsavedDrafts(QWidget):
    """The bar that offers, at start-up, every draft the user left unsaved (a crash, a
    closed window): "Du har 2 osparade utkast", with a button that opens each form, which
    then offers its draft back as usual. Forms register an opener per draft kind."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("unsavedDrafts")
        self.setStyleSheet(WARNING_BOX)
        self.label = QLabel()
        self.label.setObjectName("unsavedDraftsText")
        self.label.setWordWrap(True)
        self._buttons = QHBoxLayout()
        self.later_button = QPushButton(self.tr("Senare"))
        self.later_button.setAccessibleName(self.tr("Stäng raden om osparade utkast"))
        self.later_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addLayout(self._buttons)
        layout.addWidget(self.later_button)
        self.open_buttons: list[QPushButton] = []
        self._drafts: list[SavedDraft] = []
        self._openers: dict[str, DraftOpener] = {}
        self.hide()

    def describe(self, draft: SavedDraft) -> str:
        what = self.tr(DRAFT_KIND_LABELS.get(draft.kind, draft.kind))
        if draft.kind in ("decision_proposal", "deadline_extension", "assessment_pending") \
                and draft.key.isdigit():
            what = self.tr("{what}, ärende {id}").format(what=what, id=draft.key)
        elif draft.kind == "register_report" and draft.key != "new":
            what = self.tr("Fil i karantän som registreras för hand")
        return self.tr("{what} (sparat {when})").format(
            what=what, when=format_datetime_sv(draft.saved_at))

    def show_drafts(self, drafts: list[SavedDraft], openers: dict[str, DraftOpener]) -> None:
        self._drafts, self._openers = list(drafts), openers
        self._rebuild()

    def _rebuild(self) -> None:
        for button in self.open_buttons:
            self._buttons.removeWidget(button)
            button.deleteLater()
        self.open_buttons = []
        if not self._drafts:
            self.hide()
            return
        n = len(self._drafts)
        heading = ngettext(self.tr("Du har {n} osparat utkast:"),
                           self.tr("Du har {n} osparade utkast:"), n).format(n=n)
        self.label.setText(heading + " " + "; ".join(self.describe(d) for d in self._drafts))
        for draft in self._drafts:
            opener = self._openers.get(draft.kind)
            if opener is None or (draft.kind == "register_report" and draft.key != "new"):
                continue
            button = QPushButton(self.tr("Öppna: {what}").format(
                what=self.tr(DRAFT_KIND_LABELS.get(draft.kind, draft.kind))))
            button.setAccessibleName(self.tr("Öppna utkastet {what}").format(
                what=self.describe(draft)))
            button.clicked.connect(lambda _=False, d=draft: self._open(d))
            self._buttons.addWidget(button)
            self.open_buttons.append(button)
        self.show()

    def _open(self, draft: SavedDraft) -> None:
        self._drafts = [d for d in self._drafts if d is not draft]
        self._rebuild()
        self._openers[draft.kind](draft.key)
