"""The guided skyddsbedömning screen: the report and the child's history beside the
questions, the live recommendation beside them, every answer and note saved at once.

Answers are saved one operation each as they are given; notes shortly after typing pauses,
at the latest two seconds after a change while typing goes on, and on leaving the note.
Nothing is kept only in the window: a crash loses at most the last two seconds of typing,
and reopening puts the cursor back on the question the worker was on.

Each save carries the version of that answer or note the screen last saw. The database
worker runs saves in order, so the screen counts its own saves ahead; a save refused
because another desk changed the same question opens the conflict view
(`ui.assessment.conflicts`), and a refused value left unchosen is offered again on reopening.
A save that never arrived because the server was gone is sent again until it answers and
waits on this computer meanwhile (`mottagning.assessment.pending`): reopening the
assessment, even after a crash, saves it with the version it was based on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.access import presence
from mottagning.access.signature import signature_method
from mottagning.assessment import (
    IMMEDIATE_PROTECTION,
    OUTCOME_LABELS,
    gaps,
    pending,
    recommend,
    visible_questions,
)
from mottagning.assessment import service as svc
from mottagning.context import Actor
from mottagning.errors import ConnectionLost, MottagningError
from mottagning.i18n import ngettext
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE
from mottagning.output_files import protected_paths, write_output
from mottagning.queue.listing import ItemDetail
from mottagning.rules import deadlines
from mottagning.rules.codes import concern_label
from mottagning.rules.permissions import Action, allowed
from mottagning.rules.status import label as status_label
from mottagning.timeutil import format_date_sv, format_datetime_sv, utc_now
from ui.assessment.conflicts import AnswerConflict, AnswerConflicts
from ui.assessment.context_widgets import add_verbatim_text, wrapped_label
from ui.assessment.panel import OutcomePanel
from ui.assessment.question import QuestionWidget
from ui.assessment.sources import CaseSource, TrainingSource
from ui.assessment.vignette_context import VignetteContext
from ui.operations import Operations
from ui.queue.model import time_left_text
from ui.widgets.accessibility import name_widgets
from ui.widgets.presence import PresenceLine
from ui.widgets.style import URGENCY_COLOURS
from ui.widgets.window_geometry import fit_window

TICK_MS = 30_000
RETRY_MS = 3000  # while the server is gone: how often an unsaved answer or note is sent again
TRAINING_BANNER = ("background: #ff8f00; color: #000; font-size: 16pt; font-weight: bold; "
                   "padding: 8px; border: 3px dashed #000;")


def open_assessment(parent: QWidget | None, ops: Operations, actor: Actor, item_id: int | None, *,
                    clock: Callable[[], datetime] = utc_now,
                    source: CaseSource | TrainingSource | None = None) -> AssessmentScreen:
    """Open (or start) the item's skyddsbedömning in its own window; with a TrainingSource
    the same screen answers a calibration vignette in training mode."""
    screen = AssessmentScreen(ops, actor, item_id, clock=clock, parent=parent, source=source)
    screen.show()
    screen.load()
    return screen


class AssessmentScreen(AnswerConflicts, QWidget):
    sig_loaded = Signal()
    sig_saved = Signal()  # every save in flight has come back

    def __init__(self, ops: Operations, actor: Actor, item_id: int | None, *,
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None,
                 source: CaseSource | TrainingSource | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ops, self._actor, self._clock = ops, actor, clock
        if source is None:
            assert item_id is not None
            source = CaseSource(actor, item_id)
        self._source = source
        self.training = source.training
        self.item_id = source.item_id
        self.state: svc.AssessmentState | None = None
        self.detail: ItemDetail | None = None
        self.questions: dict[str, QuestionWidget] = {}
        self._answers: dict[str, str] = {}
        self._notes: dict[str, str] = {}
        self._pending = 0
        self._finish_requested = False
        # (field, question id) -> the version the next save of it expects
        self._versions: dict[tuple[str, str], int] = {}
        self.conflicts: dict[tuple[str, str], AnswerConflict] = {}
        # answers and notes whose last save did not arrive (the server was gone): sent again,
        # and kept on this computer meanwhile (`pending`) so that a crash loses none of them
        self._unsaved: dict[tuple[str, str], pending.PendingValue] = {}
        self._pending_in_database = False  # the start-up moved a local copy into the drafts
        self._database_name = ops.database.display_name()
        self._retry = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry.timeout.connect(self._save_unsaved)
        self.setWindowTitle(self.tr("ÖVNING – Skyddsbedömning") if self.training
                            else self.tr("Skyddsbedömning"))
        fit_window(self, "assessment", QSize(1500, 920))
        self._layout = QVBoxLayout(self)
        self.presence = PresenceLine(
            ops, actor, kind=presence.ASSESSMENT, item_id=item_id,
            text=self.tr("{names} redigerar den här skyddsbedömningen just nu. Kom överens "
                         "om vem som fortsätter innan du skriver."),
            feed=getattr(parent, "change_feed", None))
        self._layout.addWidget(self.presence)
        self._layout.addWidget(QLabel(self.tr("Öppnar skyddsbedömningen…")))
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._show_deadline)
        self._closed = False
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.request_finish)
        # every answer and note is saved as it is given: closing keeps the draft
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)

    # -- loading -----------------------------------------------------------------

    def load(self) -> None:
        if not self.training:  # a vignette is nobody's case: no presence to announce
            self.presence.start()
        self._ops.mutate(self._source.load, success=self._loaded, failure=self._load_failed)

    def _load_failed(self, error: BaseException) -> None:
        self._ops.errors.show_error(error)
        self.close()

    def _loaded(self, result: tuple[svc.AssessmentState, ItemDetail | None]) -> None:
        self.state, self.detail = result
        self._answers, self._notes = dict(self.state.answers), dict(self.state.notes)
        if not self.training:
            self._versions = {
                **{(svc.ANSWER, q): v for q, v in self.state.answer_versions.items()},
                **{(svc.NOTE, q): v for q, v in self.state.note_versions.items()}}
            actor, assessment_id = self._actor, self.state.id
            self._ops.query(lambda session: svc.conflict_drafts(session, actor, assessment_id),
                            success=self._offer_conflict_drafts)
            name, item_id = self._database_name, self.state.item_id
            self._ops.query(lambda session: pending.find_pending(
                session, actor, name, item_id=item_id, assessment_id=assessment_id),
                success=self._save_pending_again)
        self._build()
        self._refresh()
        self._show_deadline()
        self._tick.start()
        self._restore_focus()
        name_widgets(self)  # built after the window was shown
        self.sig_loaded.emit()

    def _build(self) -> None:
        assert self.state is not None
        state, detail = self.state, self.detail
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()
            if widget is not None and widget is not self.presence:
                widget.deleteLater()
        self._layout.addWidget(self.presence)
        if detail is None:
            self._build_training(state)
            return
        row = detail.row
        self.setWindowTitle(self.tr("Skyddsbedömning – {name}").format(name=row.child_name))
        header = QHBoxLayout()
        name = QLabel(f"{row.child_name}  {row.personnummer or ''}".strip())
        name.setStyleSheet("font-size: 15pt; font-weight: bold;")
        header.addWidget(name)
        header.addStretch()
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("deadline")
        header.addWidget(self.deadline_label)
        self._layout.addLayout(header)
        self._build_body(state, self._context(detail), violence="violence" in row.flags,
                         immediate_danger=detail.immediate_danger or "immediate_danger" in row.flags)

    def _build_training(self, state) -> None:  # type: ignore[no-untyped-def]
        """Training mode: the vignette instead of a report, marked so nobody mistakes it
        for a real case, and no deadline."""
        vignette = state.vignette
        self.setWindowTitle(self.tr("ÖVNING – Skyddsbedömning – {title}").format(
            title=vignette.title))
        banner = QLabel(self.tr("ÖVNING – inget riktigt ärende"))
        banner.setObjectName("trainingBanner")
        banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        banner.setStyleSheet(TRAINING_BANNER)
        self._layout.addWidget(banner)
        header = QHBoxLayout()
        name = QLabel(self.tr("{title} (vinjett, {age} år) – du svarar som {pseudonym}").format(
            title=vignette.title, age=vignette.child_age, pseudonym=state.pseudonym))
        name.setStyleSheet("font-size: 14pt; font-weight: bold;")
        header.addWidget(name)
        header.addStretch()
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("deadline")
        self.deadline_label.hide()
        header.addWidget(self.deadline_label)
        self._layout.addLayout(header)
        self._build_body(state, VignetteContext(vignette), violence=False,
                         immediate_danger=False)

    def _build_body(self, state, context: QWidget, *, violence: bool,  # type: ignore[no-untyped-def]
                    immediate_danger: bool) -> None:
        progress = QHBoxLayout()
        self.section_label = QLabel()
        progress.addWidget(self.section_label)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("%v av %m frågor klara"))
        progress.addWidget(self.progress, 1)
        self.save_label = QLabel()
        self.save_label.setObjectName("saveState")
        progress.addWidget(self.save_label)
        self._layout.addLayout(progress)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(context)
        splitter.addWidget(self._questions(state))
        self.panel = OutcomePanel(violence=violence, immediate_danger=immediate_danger,
                                  training=self.training)
        self.panel.sig_finish.connect(self.request_finish)
        self.panel.sig_second_sign.connect(self._second_sign)
        self.panel.sig_checklist.connect(self._tick_checklist)
        self.panel.sig_pdf.connect(self._save_pdf)
        self.panel.reason.textChanged.connect(self._refresh_panel_only)
        side = QScrollArea()
        side.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the outcome, not the frame
        side.setWidgetResizable(True)
        side.setWidget(self.panel)
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.addWidget(side, 1)
        column_layout.addWidget(self.panel.finish_button)  # always in view
        splitter.addWidget(column)
        splitter.setSizes([430, 700, 370])
        self._layout.addWidget(splitter, 1)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    def _context(self, detail: ItemDetail) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 4, 0)
        row = detail.row
        facts = self.tr("Inkom {when} · {concerns}").format(
            when=format_datetime_sv(row.received_at),
            concerns=", ".join(concern_label(c) for c in row.concern_codes))
        layout.addWidget(wrapped_label(facts))
        add_verbatim_text(layout, detail.description)
        count = detail.history.count_last_12_months
        history = ngettext(self.tr("Barnets historik – {n} anmälan senaste 12 månaderna"),
                           self.tr("Barnets historik – {n} anmälningar senaste 12 månaderna"),
                           count).format(n=count)
        layout.addWidget(wrapped_label(history, bold=True))
        tree = QTreeWidget()
        tree.setObjectName("history")
        tree.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels([self.tr("Inkom"), self.tr("Oro"), self.tr("Status")])
        for entry in detail.history.entries:
            when = format_date_sv(entry.received_at)
            if entry.item_id == row.id:
                when += self.tr(" (denna)")
            texts = [when, ", ".join(concern_label(c) for c in entry.concern_codes),
                     status_label(entry.status)]
            tree_item = QTreeWidgetItem(texts)
            for column, text in enumerate(texts):
                tree_item.setToolTip(column, text)  # the narrow columns cut it off
            tree.addTopLevelItem(tree_item)
        tree.resizeColumnToContents(0)
        layout.addWidget(tree, 2)
        return box

    def _questions(self, state: svc.AssessmentState) -> QScrollArea:
        page = QWidget()
        layout = QVBoxLayout(page)
        self._section_of: dict[str, tuple[int, str]] = {}
        number = 0
        for index, section in enumerate(state.form.sections, 1):
            title = wrapped_label(f"{index}. {section.title}", bold=True)
            title.setStyleSheet("font-size: 13pt; font-weight: bold; margin-top: 10px;")
            layout.addWidget(title)
            if section.help:
                layout.addWidget(wrapped_label(section.help))
            for question in section.questions:
                number += 1
                widget = QuestionWidget(question, number)
                widget.set_values(self._answers.get(question.id), self._notes.get(question.id, ""))
                widget.set_read_only(state.read_only)
                widget.sig_answered.connect(self._on_answered)
                widget.sig_note_changed.connect(self._on_note)
                widget.note.textChanged.connect(self._refresh_panel_only)
                self.questions[question.id] = widget
                self._section_of[question.id] = (index, section.title)
                layout.addWidget(widget)
        layout.addStretch()
        self.scroll = QScrollArea()
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(page)
        return self.scroll

    # -- live state ----------------------------------------------------------------

    def _current_notes(self) -> dict[str, str]:
        return {qid: w.note.toPlainText() for qid, w in self.questions.items()
                if w.note.toPlainText().strip()}

    def _refresh(self) -> None:
        assert self.state is not None
        form = self.state.form
        shown = {q.id for q in visible_questions(form, self._answers)}
        for qid, widget in self.questions.items():
            widget.setVisible(qid in shown)
        self._refresh_panel_only()

    def _refresh_panel_only(self) -> None:
        if self.state is None:
            return
        form, notes = self.state.form, self._current_notes()
        result = recommend(form, self._answers)
        open_gaps = gaps(form, self._answers, notes)
        for qid, widget in self.questions.items():
            widget.set_note_required(qid in result.notes_required)
        shown = [q for q in visible_questions(form, self._answers)]
        missing = {gap.question_id for gap in open_gaps}
        self.progress.setMaximum(len(shown))
        self.progress.setValue(sum(1 for q in shown if q.id not in missing))
        if self.state.read_only:
            can_sign = (allowed(self._actor.roles, Action.SECOND_SIGN_ASSESSMENT)
                        and self.state.finished_by_id != self._actor.user_id)
            self.panel.show_recommendation(form, self.state.recommendation, open_gaps=0)
            self.panel.show_finished(self.state, can_second_sign=can_sign)
        else:
            self.panel.show_recommendation(form, result, open_gaps=len(open_gaps))

    def _show_deadline(self) -> None:
        if self.detail is None:  # training: a vignette has no deadline
            return
        due = self.detail.row.protection_due
        seconds = deadlines.seconds_left(due, self._clock())
        if self.state is not None and self.state.status == AWAITING_SECOND_SIGNATURE:
            # below the red-flag floor it does not count yet: not done, not green
            text, level = self.tr("Väntar på andra signatur – skyddsbedömningen räknas först när "
                                  "en förste socialsekreterare har signerat"), "soon"
        elif self.state is not None and self.state.read_only:
            text, level = self.tr("Skyddsbedömningen är gjord"), "ok"
        elif seconds < 0:
            text, level = self.tr("Skulle vara klar {due} – {late}").format(
                due=format_datetime_sv(due), late=time_left_text(seconds)), "overdue"
        else:
            text = self.tr("Senast {due} – {left} kvar").format(
                due=format_datetime_sv(due), left=time_left_text(seconds))
            level = deadlines.urgency(seconds)
        background, colour = URGENCY_COLOURS.get(level, ("#e8f5e9", "#1b5e20"))
        if level == "overdue":
            background, colour = URGENCY_COLOURS["danger"]
        self.deadline_label.setText(text)
        self.deadline_label.setProperty("level", level)
        self.deadline_label.setStyleSheet(f"background: {background}; color: {colour}; "
                                          "font-weight: bold; padding: 4px 8px; border-radius: 4px;")

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        while new is not None and not isinstance(new, QuestionWidget):
            new = new.parentWidget()
        if new is not None and self.questions.get(new.question.id) is new:
            self._mark_current(new)

    def _mark_current(self, current: QuestionWidget) -> None:
        for widget in self.questions.values():
            widget.set_current(widget is current)
        index, title = self._section_of[current.question.id]
        self.section_label.setText(self.tr("Avsnitt {i} av {n}: {title}").format(
            i=index, n=len(self.state.form.sections) if self.state else 0, title=title))
        self.scroll.ensureWidgetVisible(current, 0, 40)

    def _focus(self, widget: QuestionWidget) -> None:
        widget.focus_target().setFocus()
        self._mark_current(widget)

    def _restore_focus(self) -> None:
        assert self.state is not None
        target = self.questions.get(self.state.focus_question or "")
        if target is None or self.state.read_only:
            target = self._first_open() or next(iter(self.questions.values()))
        self._focus(target)

    def _first_open(self) -> QuestionWidget | None:
        assert self.state is not None
        for gap in gaps(self.state.form, self._answers, self._current_notes()):
            return self.questions[gap.question_id]
        return None

    def _next_after(self, widget: QuestionWidget) -> QuestionWidget | None:
        ids = [qid for qid, w in self.questions.items() if not w.isHidden()]
        position = ids.index(widget.question.id)
        return self.questions[ids[position + 1]] if position + 1 < len(ids) else None

    # -- saving ------------------------------------------------------------------

    def _on_answered(self, question_id: str, answer: str | None) -> None:
        assert self.state is not None
        if answer is None:
            self._answers.pop(question_id, None)
        else:
            self._answers[question_id] = answer
        self._refresh()
        self._save_answer(question_id, answer)
        widget = self.questions[question_id]
        if answer is None:
            return
        if question_id in recommend(self.state.form, self._answers).notes_required \
                and not widget.note.toPlainText().strip():
            widget.note.setFocus()
        else:
            following = self._next_after(widget)
            if following is not None:
                self._focus(following)
            else:
                self.panel.finish_button.setFocus()

    def _on_note(self, question_id: str, text: str) -> None:
        self._save_note(question_id, text)

    def _save_answer(self, question_id: str, answer: str | None, *,
                     after_conflict: bool = False) -> None:
        self._save_value(svc.ANSWER, question_id, answer, after_conflict=after_conflict)

    def _save_note(self, question_id: str, text: str, *, after_conflict: bool = False) -> None:
        self._save_value(svc.NOTE, question_id, text, after_conflict=after_conflict)

    def _save_value(self, field: str, question_id: str, value: str | None, *,
                    after_conflict: bool) -> None:
        """Save one answer or note, expecting the version this screen last knew of it."""
        assert self.state is not None
        save = self._source.save_answer if field == svc.ANSWER else self._source.save_note
        assessment_id, key = self.state.id, (field, question_id)
        expected = self._expect(key)
        self._save(lambda session: save(
            session, assessment_id, question_id, value, expected_version=expected,
            after_conflict=after_conflict), key, value, expected)

    def _expect(self, key: tuple[str, str]) -> int | None:
        """The version this save expects; the next save expects the one it will make."""
        if self.training:
            return None  # a worker's training answers are theirs alone
        expected = self._versions.get(key, 0)
        self._versions[key] = expected + 1
        return expected

    def _save(self, fn, key: tuple[str, str], value: str | None,  # type: ignore[no-untyped-def]
              expected: int | None) -> None:
        self._pending += 1
        self.save_label.setText(self.tr("Sparar…"))
        self._ops.mutate(fn, success=lambda state: self._saved(state, key),
                         failure=lambda error: self._save_failed(error, key, value, expected))

    def _saved(self, state: svc.AssessmentState, key: tuple[str, str]) -> None:
        self._pending -= 1
        if self._unsaved.pop(key, None) is not None:
            self._keep_unsaved()
        if self._closed:
            return
        if self.state is not None:
            self.state = state if not self.state.read_only else self.state
        if self._pending == 0 and not self._unsaved:
            self.save_label.setText(self.tr("Allt sparat {time}").format(
                time=format_datetime_sv(self._clock()).split(" kl. ")[-1]))
            self.sig_saved.emit()
            if self._finish_requested:
                self._finish_requested = False
                self.request_finish()

    def _save_failed(self, error: BaseException, key: tuple[str, str], value: str | None,
                     expected: int | None) -> None:
        self._pending -= 1
        self._finish_requested = False
        if isinstance(error, svc.AnswerChanged):
            if self._unsaved.pop(key, None) is not None:
                self._keep_unsaved()  # the conflict draft holds the value from now on
            self._refused(error)
            return
        if key in self._versions:
            self._versions[key] -= 1  # nothing was saved: the version did not move
        if isinstance(error, ConnectionLost):
            # The banner says the server is gone: the value waits on this computer and is
            # sent again until the server answers (or when the assessment is next opened).
            # Saves of the same question behind it fail too: the first one's version is
            # the one the value is based on.
            waiting = self._unsaved.get(key)
            based_on = waiting.version if waiting is not None else expected or 0
            self._unsaved[key] = pending.PendingValue(*key, value, based_on)
            self._keep_unsaved()
            if self._closed:
                return
            self._retry.start()
            self.save_label.setText(self.tr("Ingen kontakt med databasen – sparas när den "
                                            "svarar igen"))
            return
        if self._closed:
            self._ops.errors.show_error(error)
            return
        self.save_label.setText(self.tr("Kunde inte spara – se meddelandet"))
        self.save_label.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self._ops.errors.show_error(error)

    def _save_unsaved(self) -> None:
        if self._closed or self.state is None or self.state.read_only:
            return
        # what the screen shows now: a newer value may be on its way behind the failed one
        for field, question_id in sorted(self._unsaved):
            if (field, question_id) in self.conflicts:
                continue
            if field == svc.ANSWER:
                self._save_answer(question_id, self._answers.get(question_id))
            else:
                self._save_note(question_id, self.questions[question_id].note.toPlainText())

    def _keep_unsaved(self) -> None:
        """Keep the waiting values on this computer, or forget them once none waits."""
        if self.training or self.state is None:
            return  # a training answer is nobody's case, and only the vignette's
        name, actor, item_id = self._database_name, self._actor, self.state.item_id
        if self._unsaved:
            pending.keep_locally(name, actor, item_id=item_id, assessment_id=self.state.id,
                                 values=list(self._unsaved.values()))
            if not self._closed:  # this screen sends them again itself (`_retry`)
                pending.hold_locally(name, actor, item_id=item_id)
            return
        pending.forget_locally(name, actor, item_id=item_id)
        if self._pending_in_database:
            self._pending_in_database = False
            self._ops.mutate(lambda session: pending.discard_pending(session, actor,
                                                                     item_id=item_id))

    def _save_pending_again(self, found: pending.FoundPending) -> None:
        """Reopened after a crash or a close while the server was gone: the values that
        never arrived are shown and saved with the version they were based on, so a newer
        one saved meanwhile opens the conflict view; one that did arrive is not saved again."""
        assert self.state is not None
        self._pending_in_database = found.in_database
        if self._closed:
            return
        for waiting in [] if self.state.read_only else found.values:
            key = (waiting.field, waiting.question_id)
            widget = self.questions.get(waiting.question_id)
            if widget is None or key in self.conflicts or key in self._unsaved:
                continue
            if waiting.field == svc.ANSWER:
                if waiting.value == self.state.answers.get(waiting.question_id):
                    continue
                if waiting.value is None:
                    self._answers.pop(waiting.question_id, None)
                else:
                    self._answers[waiting.question_id] = waiting.value
                widget.set_values(waiting.value, widget.note.toPlainText())
            else:
                text = waiting.value or ""
                if (text if text.strip() else "") == self.state.notes.get(
                        waiting.question_id, ""):
                    continue
                widget.set_values(widget.answer, waiting.value or "")
            self._versions[key] = waiting.version
            self._unsaved[key] = waiting
        self._refresh()
        self._keep_unsaved()
        self._save_unsaved()

    def flush_notes(self) -> None:
        for widget in self.questions.values():
            widget.flush_note()

    # -- finishing ---------------------------------------------------------------

    def request_finish(self) -> None:
        if self.state is None or self.state.read_only:
            return
        self.flush_notes()
        if self._pending:
            self._finish_requested = True  # finish once every save has come back
            return
        open_gaps = gaps(self.state.form, self._answers, self._current_notes())
        if open_gaps:
            first = self.questions[open_gaps[0].question_id]
            self.save_label.setText(ngettext(self.tr("{n} sak kvar: {what}"),
                                             self.tr("{n} saker kvar: {what}"),
                                             len(open_gaps)).format(
                n=len(open_gaps), what=open_gaps[0].message))
            self._focus(first)
            return
        outcome = self.panel.chosen_outcome()
        if outcome is None:
            self.save_label.setText(self.tr("Välj ett utfall innan du slutför."))
            self.panel.outcome_buttons[IMMEDIATE_PROTECTION].setFocus()
            return
        reason = self.panel.reason.toPlainText() if self.panel.reason.isVisible() else None
        if self.conflicts or self._unsaved:
            self.save_label.setText(self.tr("Välj först i rutan om svaret som någon annan "
                                            "ändrade, och låt allt sparas, innan du slutför."))
            return
        source, assessment_id, version = self._source, self.state.id, self.state.version
        seen = dict(self._answers)
        self._ops.mutate(
            lambda session: source.finish(session, assessment_id, outcome=outcome or "",
                                          override_reason=reason, expected_version=version,
                                          seen_answers=seen),
            success=self._finished)

    def _finished(self, state: svc.AssessmentState) -> None:
        self.state = state
        for widget in self.questions.values():
            widget.set_read_only(True)
        self._refresh()
        self._show_deadline()
        self.panel.setFocus()

    def _second_sign(self) -> None:
        actor = self._actor
        self._ops.query(lambda session: signature_method(session, actor),
                        success=self._ask_signature)

    def _ask_signature(self, method: str) -> None:
        assert self.state is not None
        summary = self.tr("Du signerar som andra bedömare att utfallet ”{outcome}” får gälla "
                          "trots de röda flaggorna.").format(
            outcome=OUTCOME_LABELS[self.state.outcome or ""])
        if method == "password":
            prompt, echo = self.tr("Ange ditt lösenord för att signera:"), QLineEdit.EchoMode.Password
        else:
            prompt = self.tr("Skriv ”{phrase}” för att signera:").format(
                phrase=svc.SECOND_SIGNATURE_PHRASE)
            echo = QLineEdit.EchoMode.Normal
        secret, accepted = QInputDialog.getText(self, self.tr("Andra signatur"),
                                                f"{summary}\n\n{prompt}", echo)
        if not accepted:
            return
        actor, assessment_id = self._actor, self.state.id
        self._ops.mutate(lambda session: svc.second_sign(session, actor, assessment_id,
                                                         secret=secret),
                         success=self._finished)

    def _tick_checklist(self, step: str, done: bool) -> None:
        assert self.state is not None
        actor, assessment_id = self._actor, self.state.id
        self._ops.mutate(lambda session: svc.update_checklist(session, actor, assessment_id,
                                                              step, done),
                         success=self._finished)

    def _save_pdf(self) -> None:
        assert self.state is not None and self.detail is not None
        suggested = f"skyddsbedomning-{self.item_id}.pdf"
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Spara skyddsbedömningen"),
                                                    suggested, self.tr("PDF (*.pdf)"))
        if not path:
            return
        actor, assessment_id = self._actor, self.state.id
        from mottagning.assessment.printing import assessment_pdf  # reportlab: not at start

        self._ops.query(lambda session: assessment_pdf(session, actor, assessment_id),
                        success=lambda pdf: self._write_pdf(Path(path), pdf))

    def _write_pdf(self, path: Path, pdf: bytes) -> None:
        try:
            # The file dialog has asked before replacing a file; the database's own files
            # are refused all the same, and the PDF (case data) is created 0600.
            write_output(path, pdf, force=True,
                         protected=protected_paths(self._ops.database.file))
        except OSError as error:
            QMessageBox.warning(self, self.tr("Skyddsbedömning"), self.tr(
                "PDF-filen kunde inte sparas: {error}").format(error=error.strerror))
            return
        except MottagningError as error:
            QMessageBox.warning(self, self.tr("Skyddsbedömning"), str(error))
            return
        self.save_label.setText(self.tr("Sparad som {name}").format(name=path.name))

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.flush_notes()
        self.presence.stop()
        self._closed = True
        self._tick.stop()
        self._retry.stop()
        if self.state is not None and not self.training:
            pending.release_locally(self._database_name, self._actor, item_id=self.state.item_id)
        app = QApplication.instance()
        if self.questions and app is not None:
            app.focusChanged.disconnect(self._on_focus_changed)
        super().closeEvent(event)
