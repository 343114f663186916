"""The Kalibrering page: the rounds, each worker's exercises (answered on the skyddsbedömning
screen in training mode) with their own answers beside the group's, and for seniors the
agreement figures, the review meeting and the questions to bring to the form's owner.

Everything shown comes from `mottagning.calibration` (the same functions as
`mottagning calibration … --json`); the page only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mottagning.calibration import references, results, rounds
from mottagning.calibration.rounds import RoundSummary
from mottagning.context import Actor
from mottagning.rules.permissions import Action, allowed
from mottagning.timeutil import format_date_sv, to_local, utc_now
from ui.assessment.screen import AssessmentScreen, open_assessment
from ui.assessment.sources import TrainingSource
from ui.calibration.format import answer_label, number, spread_text
from ui.calibration.results_view import ResultsView
from ui.calibration.review_view import ReviewView
from ui.operations import Operations
from ui.operations.calibration import compute_round_results

DIFFERS_FROM_REFERENCE = "#fde0dc"


@dataclass(frozen=True)
class _Overview:
    rounds: list[RoundSummary]
    titles: dict[str, str]


class CalibrationPage(QWidget):
    def __init__(self, ops: Operations, actor: Actor, *,
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self._clock = ops, actor, clock
        self.lead = allowed(actor.roles, Action.LEAD_CALIBRATION)
        self.rounds: list[RoundSummary] = []
        self.titles: dict[str, str] = {}
        self.screens: list[AssessmentScreen] = []
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Kalibreringsomgångar")))
        self.round_list = QListWidget()
        self.round_list.setObjectName("rounds")
        self.round_list.currentRowChanged.connect(self._round_chosen)
        left_layout.addWidget(self.round_list, 1)
        if self.lead:
            self.open_button = QPushButton(self.tr("Ny omgång…"))
            self.open_button.setObjectName("openRound")
            self.open_button.clicked.connect(self._open_round)
            left_layout.addWidget(self.open_button)
        splitter.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._exercises_tab(), self.tr("Mina övningar"))
        if self.lead:
            self.results_view = ResultsView()
            self.tabs.addTab(self.results_view, self.tr("Samstämmighet"))
            self.review_view = ReviewView()
            self.review_view.sig_vignette_chosen.connect(self.show_review)
            self.review_view.sig_save_reference.connect(self._save_reference)
            self.tabs.addTab(self.review_view, self.tr("Granskning av en vinjett"))
            self.feedback = QPlainTextEdit()
            self.feedback.setObjectName("formFeedback")
            self.feedback.setReadOnly(True)
            self.tabs.addTab(self.feedback, self.tr("Till formulärets ägare"))
        splitter.addWidget(self.tabs)
        splitter.setSizes([235, 1065])
        layout.addWidget(splitter)

    def _exercises_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr(
            "Svara på varje vinjett i skyddsbedömningen, i övningsläge. Svaren sparas bara i "
            "kalibreringen: inget ärende skapas, och resultaten visas under pseudonym.")))
        self.exercises = QListWidget()
        self.exercises.setObjectName("exercises")
        self.exercises.itemActivated.connect(lambda item: self.answer(item.data(Qt.ItemDataRole.UserRole)))
        self.exercises.currentItemChanged.connect(lambda _new, _old: self._fill_own())
        layout.addWidget(self.exercises, 1)
        self.answer_button = QPushButton(self.tr("Svara på vald vinjett (Enter)"))
        self.answer_button.setObjectName("answerVignette")
        self.answer_button.clicked.connect(self._answer_selected)
        layout.addWidget(self.answer_button)
        layout.addWidget(QLabel(self.tr(
            "Dina svar på vald vinjett bredvid gruppens, när du själv har svarat (rött: ditt "
            "svar skiljer sig från referenssvaret):")))
        self.own = QTableWidget(0, 4)
        self.own.setObjectName("ownAnswers")
        self.own.setHorizontalHeaderLabels([self.tr("Fråga"), self.tr("Ditt svar"),
                                            self.tr("Gruppen"), self.tr("Referens")])
        self.own.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.own.verticalHeader().setVisible(False)
        self.own.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.own_results: results.OwnResults | None = None
        layout.addWidget(self.own, 2)
        return page

    # -- loading ---------------------------------------------------------------------

    def refresh(self) -> None:
        actor = self._actor

        def overview(session):  # type: ignore[no-untyped-def]
            stuff = rounds.material()
            return _Overview(rounds.list_rounds(session, actor),
                             {v.id: v.title for v in stuff.vignettes.vignettes.values()})

        self._ops.query(overview, success=self._show_rounds)

    def _show_rounds(self, overview: _Overview) -> None:
        current = self.current_round()
        self.rounds, self.titles = overview.rounds, overview.titles
        self.round_list.blockSignals(True)
        self.round_list.clear()
        for summary in self.rounds:
            state = self.tr("öppen") if summary.is_open else self.tr("stängd")
            item = QListWidgetItem(self.tr("{title}\n{state}, sista svarsdag {closes}").format(
                title=summary.title, state=state, closes=format_date_sv(summary.closes_on)))
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            self.round_list.addItem(item)
        self.round_list.blockSignals(False)
        ids = [summary.id for summary in self.rounds]
        row = ids.index(current.id) if current and current.id in ids else (0 if ids else -1)
        self.round_list.setCurrentRow(row)
        if row == self.round_list.currentRow():
            self._round_chosen(row)
        if self.lead:
            self._ops.query(lambda session: results.form_feedback(session, self._actor),
                            success=self._show_feedback)

    def current_round(self) -> RoundSummary | None:
        row = self.round_list.currentRow()
        return self.rounds[row] if 0 <= row < len(self.rounds) else None

    def _round_chosen(self, _row: int) -> None:
        summary = self.current_round()
        self.exercises.clear()
        if summary is None:
            return
        for vignette_id in summary.vignette_ids:
            done = vignette_id in summary.my_finished
            mark = self.tr("klar") if done else (self.tr("öppen") if summary.is_open
                                                 else self.tr("stängd"))
            item = QListWidgetItem(f"{self.titles.get(vignette_id, vignette_id)} – {mark}")
            item.setData(Qt.ItemDataRole.UserRole, vignette_id)
            self.exercises.addItem(item)
        actor, round_id = self._actor, summary.id
        self._ops.query(lambda session: results.my_results(session, actor, round_id),
                        success=self._show_own)
        if self.lead:
            self._compute_results(round_id)
            first = summary.vignette_ids[0] if summary.vignette_ids else None
            self.review_view.set_vignettes(
                [(v, self.titles.get(v, v)) for v in summary.vignette_ids], first)
            if first is not None:
                self.show_review(first)

    def _show_own(self, own: results.OwnResults) -> None:
        self.own_results = own
        if self.exercises.currentRow() < 0 and self.exercises.count():
            self.exercises.setCurrentRow(0)
        self._fill_own()

    def _fill_own(self) -> None:
        item = self.exercises.currentItem()
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        rows = [r for r in (self.own_results.rows if self.own_results else ())
                if r.vignette_id == chosen]
        self.own.setRowCount(len(rows))
        for row, entry in enumerate(rows):
            reference = answer_label(entry.reference)
            if entry.newer_reference is not None:
                reference = self.tr("{reference} (nytt referenssvar: {newer})").format(
                    reference=reference, newer=answer_label(entry.newer_reference))
            cells = (entry.question_text, answer_label(entry.own), spread_text(entry.group),
                     reference)
            differs = entry.reference is not None and entry.own != entry.reference
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if differs:
                    cell.setBackground(QColor(DIFFERS_FROM_REFERENCE))
                self.own.setItem(row, column, cell)

    def _compute_results(self, round_id: int) -> None:
        compute_round_results(self._ops, self._actor, round_id, success=self._show_results)

    def _show_results(self, found) -> None:  # type: ignore[no-untyped-def]
        if found is None:  # cancelled
            return
        round_results, history = found
        self.results_view.show_results(round_results)
        self.results_view.show_history(history)

    def show_review(self, vignette_id: str) -> None:
        summary = self.current_round()
        if summary is None:
            return
        actor, round_id = self._actor, summary.id
        self._ops.query(lambda session: results.review(session, actor, round_id, vignette_id),
                        success=self.review_view.show_review)

    def _show_feedback(self, flagged: list[results.FlaggedQuestion]) -> None:
        if not flagged:
            self.feedback.setPlainText(self.tr(
                "Ingen fråga har haft låg samstämmighet i flera omgångar i rad."))
            return
        lines = [self.tr("Frågor med låg samstämmighet (α) i flera omgångar i rad – underlag "
                         "för formulärets nästa version:"), ""]
        for question in flagged:
            lines.append(f"{question.text} ({question.id})")
            lines.extend(f"    {title}: α {number(alpha)}" for title, alpha in question.alphas)
            if question.notes:
                lines.append(self.tr("    Handläggarnas anteckningar:"))
                lines.extend(f"      {round_title}, {who}, ”{vignette}”: {note}"
                             for round_title, who, vignette, note in question.notes)
            else:
                lines.append(self.tr("    Inga anteckningar till frågan."))
            lines.append("")
        self.feedback.setPlainText("\n".join(lines))

    # -- actions -----------------------------------------------------------------------

    def _answer_selected(self) -> None:
        item = self.exercises.currentItem()
        if item is not None:
            self.answer(item.data(Qt.ItemDataRole.UserRole))

    def answer(self, vignette_id: str) -> AssessmentScreen | None:
        """Open the skyddsbedömning screen in training mode on one vignette of the round."""
        summary = self.current_round()
        if summary is None:
            return None
        source = TrainingSource(self._actor, summary.id, vignette_id)
        screen = open_assessment(self.window(), self._ops, self._actor, None,
                                 clock=self._clock, source=source)
        screen.destroyed.connect(lambda _obj=None, s=screen: self._forget(s))
        self.screens.append(screen)
        return screen

    def _forget(self, screen: AssessmentScreen) -> None:
        if screen in self.screens:
            self.screens.remove(screen)
        self.refresh()

    def _open_round(self) -> None:
        dialog = OpenRoundDialog(self, titles=self.titles, today=to_local(self._clock()).date())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        actor = self._actor
        title, closes_on, chosen = dialog.values()
        self._ops.mutate(lambda session: rounds.open_round(
            session, actor, title=title, vignette_ids=chosen, closes_on=closes_on),
            success=lambda _id: self.refresh())

    def _save_reference(self, vignette_id: str, answers: dict, outcome: str, why: str) -> None:
        actor = self._actor

        def save(session):  # type: ignore[no-untyped-def]
            stuff = rounds.material()
            return references.save_reference(session, actor, stuff.vignettes.get(vignette_id),
                                             answers=answers, outcome=outcome, why=why,
                                             forms=stuff.forms)

        self._ops.mutate(save, success=lambda _version: self.show_review(vignette_id))

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # Qt override
        super().showEvent(event)
        if not self.rounds:
            self.refresh()


class OpenRoundDialog(QDialog):
    """A senior opens a round: a name, the vignettes and the last day to answer."""

    def __init__(self, parent: QWidget | None, *, titles: dict[str, str], today) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ny kalibreringsomgång"))
        self.resize(640, 520)
        form = QFormLayout(self)
        self.title = QLineEdit()
        form.addRow(self.tr("Namn"), self.title)
        self.closes = QDateEdit(QDate(today.year, today.month, today.day).addDays(14))
        self.closes.setCalendarPopup(True)
        self.closes.setDisplayFormat("yyyy-MM-dd")
        form.addRow(self.tr("Sista svarsdag"), self.closes)
        self.vignettes = QListWidget()
        for vignette_id, title in sorted(titles.items()):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, vignette_id)
            item.setCheckState(Qt.CheckState.Checked)
            self.vignettes.addItem(item)
        form.addRow(self.tr("Vinjetter"), self.vignettes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self):  # type: ignore[no-untyped-def]
        chosen = [self.vignettes.item(i).data(Qt.ItemDataRole.UserRole)
                  for i in range(self.vignettes.count())
                  if self.vignettes.item(i).checkState() == Qt.CheckState.Checked]
        return self.title.text(), self.closes.date().toPython(), chosen

