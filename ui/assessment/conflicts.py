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


class AnswerConflicts:
    """The skyddsbedömning screen's part in conflicts (mixed into AssessmentScreen): a
    refused save opens one conflict view per question, a refused value left unchosen is
    offered again when the screen opens, and the choice is shown and saved."""

    conflicts: dict[tuple[str, str], AnswerConflict]

    def _current_value(self, field: str, question_id: str) -> str | None:
        if field == svc.ANSWER:
            return self._answers.get(question_id)
        return self.questions[question_id].note.toPlainText()

    def _refused(self, error: svc.AnswerChanged) -> None:
        key = (error.field, error.question_id)
        mine = self._current_value(*key) if self.questions else None
        if self._closed:
            # The window is gone: the worker's value waits as a draft, offered on reopening.
            actor, assessment_id = self._actor, self.state.id if self.state else 0
            self._ops.mutate(lambda session: svc.keep_conflict_draft(
                session, actor, assessment_id, field=key[0], question_id=key[1], value=mine))
            self._ops.errors.show_error(error)
            return
        if key in self.conflicts:
            return  # the saves queued behind the first refused one: one view per question
        self.save_label.setText(self.tr("Någon annan har ändrat samma fråga – välj i rutan"))
        self._open_conflict(key, mine=mine, theirs=error.theirs, version=error.version,  # type: ignore[arg-type]
                            about=str(error), saved_by=error.saved_by)

    def _offer_conflict_drafts(self, found: list[svc.ConflictDraft]) -> None:
        assert self.state is not None
        if self._closed or self.state.read_only:
            return
        for draft in found:
            key = (draft.field, draft.question_id)
            if draft.question_id not in self.questions or key in self.conflicts:
                continue
            saved = (self.state.answers.get(draft.question_id) if draft.field == svc.ANSWER
                     else self.state.notes.get(draft.question_id, ""))
            if draft.value == saved:
                self._ops.mutate(lambda session, d=draft, actor=self._actor,
                                 assessment_id=self.state.id: svc.drop_conflict_draft(
                    session, actor, assessment_id, field=d.field, question_id=d.question_id))
                continue
            question = self.questions[draft.question_id].question.text
            self._open_conflict(key, mine=draft.value, theirs=saved,
                                version=self._versions.get(key, 0), saved_by=None,
                                about=self.tr(
                "Du har ett osparat val kvar för frågan ”{question}”: det du skrev krockade med "
                "en nyare version som någon annan sparade. Jämför och välj.").format(
                    question=question))

    def _open_conflict(self, key: tuple[str, str], *, mine: str | None, theirs: str | None,
                       version: int, about: str, saved_by: str | None) -> None:
        assert self.state is not None
        conflict = AnswerConflict(
            self._ops, self._actor, assessment_id=self.state.id, field=key[0],
            question_id=key[1], mine=mine, theirs=theirs, version=version, about=about,
            saved_by=saved_by, parent=self)
        conflict.sig_resolved.connect(
            lambda choice, value, c=conflict: self._conflict_resolved(c, choice, value))
        self.conflicts[key] = conflict
        conflict.open()

    def _conflict_resolved(self, conflict: AnswerConflict, choice: Choice | None,
                           value: str | None) -> None:
        self.conflicts.pop(conflict.key, None)
        if choice is None or self._closed:
            return  # the draft stays; the next save of this question asks again
        field, question_id = conflict.key
        widget = self.questions[question_id]
        if field == svc.ANSWER:
            if value is None:
                self._answers.pop(question_id, None)
            else:
                self._answers[question_id] = value
            widget.set_values(value, widget.note.toPlainText())
            self._refresh()
        else:
            widget.set_values(widget.answer, value or "")
            self._refresh_panel_only()
        self._versions[conflict.key] = conflict.version
        if choice is Choice.MINE:
            if field == svc.ANSWER:
                self._save_answer(question_id, value, after_conflict=True)
            else:
                self._save_note(question_id, value or "", after_conflict=True)
