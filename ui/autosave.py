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

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from mottagning.services.context import Actor
from mottagning.services.drafts import SavedDraft, discard_draft, load_draft, save_draft
from ui.operations import Operations
from ui.style import WARNING_BOX

DELAY_MS = 1000  # a pause in typing this long saves
MAX_WAIT_MS = 2000  # an unsaved change is saved at the latest this long after it was made


class DraftAutosaver(QObject):
    sig_draft_found = Signal(object)  # SavedDraft from an earlier session
    sig_ready = Signal()  # autosave is running
    sig_saved = Signal(object)  # SavedDraft just written

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
        """No more saves (the form is being registered or was discarded)."""
        self._active = False
        self._timer.stop()
        self._max_wait.stop()

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
            success=self.sig_saved.emit, failure=self._save_failed)

    def _save_failed(self, error: BaseException) -> None:
        self._last_saved = None  # try again on the next change
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
