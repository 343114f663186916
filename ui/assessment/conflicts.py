"""One refused answer or note of the skyddsbedömning (another desk saved the same question
meanwhile): the conflict view shows the worker's value beside the newer one, and the
worker's value waits as a draft (autosaved, on this computer while the server is gone)
until they choose. Choosing their own saves it over the newer version; the screen does
that save, whose transaction discards the draft."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from mottagning.assessment import ANSWER_LABELS
from mottagning.assessment import service as svc
from mottagning.context import Actor
from ui.operations import Operations
from ui.widgets.autosave import DraftAutosaver
from ui.widgets.conflict_dialog import Choice, ConflictDialog


class AnswerConflict(QObject):
    sig_resolved = Signal(object, object)  # Choice or None (cancelled), the value to show

    def __init__(self, ops: Operations, actor: Actor, *, assessment_id: int, field: str,
                 question_id: str, mine: str | None, theirs: str | None, version: int,
                 about: str, saved_by: str | None, parent: QWidget):
        super().__init__(parent)
        self._ops, self._actor, self._assessment_id = ops, actor, assessment_id
        self.field, self.question_id, self.version = field, question_id, version
        self._mine, self._theirs = mine, theirs
        note = field == svc.NOTE
        self.dialog = ConflictDialog(
            mine=self._text(mine), theirs=self._text(theirs), about=about, mergeable=note,
            theirs_title=(self.tr("Sparat av {name}").format(name=saved_by) if saved_by
                          else self.tr("Det som är sparat nu")), parent=parent)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.autosave = DraftAutosaver(
            ops, actor, kind=svc.CONFLICT_DRAFT_KIND,
            key=svc.conflict_draft_key(assessment_id, field, question_id),
            collect=self._collect, parent=self)
        self.autosave.start()
        self.autosave.save_now()
        self.dialog.sig_mine_edited.connect(lambda _text: self.autosave.schedule())
        self.dialog.finished.connect(self._finished)

    @property
    def key(self) -> tuple[str, str]:
        return self.field, self.question_id

    def open(self) -> None:
        self.dialog.open()

    def _text(self, value: str | None) -> str:
        if self.field == svc.NOTE:
            return value or ""
        return ANSWER_LABELS.get(value or "", self.tr("(inget svar)"))

    def mine_value(self) -> str | None:
        return self.dialog.mine.toPlainText() if self.field == svc.NOTE else self._mine

    def _collect(self) -> dict[str, object]:
        return svc.conflict_draft_content(self.field, self.question_id, self.mine_value())

    def _finished(self, _result: int) -> None:
        choice = self.dialog.choice
        self.autosave.stop()
        actor, assessment_id, field, question_id = (self._actor, self._assessment_id,
                                                    self.field, self.question_id)
        mine = self.mine_value()
        if choice is None:  # a merge in progress waits in the draft
            self._ops.mutate(lambda session: svc.keep_conflict_draft(
                session, actor, assessment_id, field=field, question_id=question_id,
                value=mine))
        elif choice is Choice.THEIRS:
            self._ops.mutate(lambda session: svc.drop_conflict_draft(
                session, actor, assessment_id, field=field, question_id=question_id))
        self.sig_resolved.emit(choice, self._theirs if choice is Choice.THEIRS else mine)
        self.dialog.deleteLater()
