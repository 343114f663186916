"""The review meeting for one vignette (seniors): every answer side by side under its
pseudonym, the recommendation each produced, where the form's rules turned a different
answer into a different outcome, and the group's conclusion saved as the reference answer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.assessment import ANSWERS, OUTCOME_LABELS, OUTCOMES
from mottagning.assessment.form import YES_NO_UNKNOWN
from mottagning.calibration.results import OUTCOME_KEY, Review
from ui.calibration.format import answer_label, spread_text

DIFFERS_COLOUR = "#fff3c4"
TURNS_COLOUR = "#fde0dc"


# Widths in pixels: the question column never narrower than this; an answer column at most
# this wide (its outcome labels wrap).
QUESTION_COLUMN_MIN = 200
ANSWER_COLUMN_MAX = 110


class ReviewView(QWidget):
    sig_vignette_chosen = Signal(str)
    sig_save_reference = Signal(str, dict, str, str)  # vignette id, answers, outcome, why

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review: Review | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Vinjett:")))
        self.vignettes = QComboBox()
        self.vignettes.setObjectName("reviewVignette")
        self.vignettes.activated.connect(
            lambda _i: self.sig_vignette_chosen.emit(self.vignettes.currentData()))
        top.addWidget(self.vignettes, 1)
        self.save_button = QPushButton(self.tr("Spara som referenssvar…"))
        self.save_button.setObjectName("saveReference")
        self.save_button.clicked.connect(self._save_reference)
        top.addWidget(self.save_button)
        layout.addLayout(top)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.heading)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget()
        self.table.setObjectName("reviewTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        splitter.addWidget(self.table)
        self.turns = QPlainTextEdit()
        self.turns.setObjectName("reviewTurns")
        self.turns.setReadOnly(True)
        splitter.addWidget(self.turns)
        splitter.setSizes([500, 110])
        layout.addWidget(splitter, 1)

    def set_vignettes(self, choices: list[tuple[str, str]], current: str | None) -> None:
        self.vignettes.clear()
        for vignette_id, title in choices:
            self.vignettes.addItem(title, vignette_id)
        if current is not None:
            self.vignettes.setCurrentIndex(max(0, self.vignettes.findData(current)))

    def show_review(self, review: Review) -> None:
        # The same vignette and reference read again (a refresh): what the senior has chosen
        # in the reference column but not saved yet stays chosen.
        previous = self.review
        unsaved = (self.reference_answers() if previous is not None
                   and previous.vignette.id == review.vignette.id
                   and previous.latest.version == review.latest.version else {})
        self.review = review
        vignette, form = review.vignette, review.form
        # The round is judged against `reference`; the editable column starts from the
        # newest reference (a new one builds on it) and shows it beside the round's.
        reference, latest = vignette.reference, review.latest.reference
        newer = review.newer
        self.heading.setText(self.tr(
            "{title} (version {version}). {count} svar. Gult: frågor där svaren skiljer sig; "
            "rött: där formulärets regler gjorde ett annat svar till ett annat utfall.{newer}"
            "{hidden}"
        ).format(title=vignette.title, version=vignette.version, count=len(review.columns)
                 or sum(review.spreads[OUTCOME_KEY].values()),
                 newer=self.tr(" Omgången bedöms mot version {version}; referenssvaret i "
                               "version {newest} är nyare och visas bredvid.").format(
                     version=vignette.version, newest=newer.version) if newer else "",
                 hidden="" if review.individual else self.tr(
                     " Enhetens inställning visar bara fördelningen, inte varje svar.")))
        people = [c.pseudonym for c in review.columns]
        pinned_column = [self.tr("Omgångens referens (version {version})").format(
            version=vignette.version)] if newer else []
        headers = [self.tr("Fråga"), *people, self.tr("Fördelning"), *pinned_column,
                   self.tr("Ny referens (version {version})").format(version=newer.version)
                   if newer else self.tr("Referens")]
        questions = [q for q in form.questions if q.kind == YES_NO_UNKNOWN]
        turned = {t.question_id for t in review.turns}
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(questions) + 2)
        self._reference_boxes: dict[str, QComboBox] = {}
        bold = QFont()
        bold.setBold(True)
        # The recommendation and the chosen outcome first: what the discussion is about.
        for row, question in enumerate(questions, start=2):
            colour = (TURNS_COLOUR if question.id in turned
                      else DIFFERS_COLOUR if question.id in review.differing else None)
            cells = [question.text, *(answer_label(c.answers.get(question.id))
                                      for c in review.columns),
                     spread_text(review.spreads[question.id])]
            if newer:
                cells.append(answer_label(reference.answers.get(question.id))
                             if reference else "–")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if colour:
                    item.setBackground(QColor(colour))
                self.table.setItem(row, column, item)
            box = QComboBox()
            box.addItem("–", None)
            for value in ANSWERS:
                box.addItem(answer_label(value), value)
            if question.id in unsaved:
                box.setCurrentIndex(box.findData(unsaved[question.id]))
            elif latest and question.id in latest.answers:
                box.setCurrentIndex(box.findData(latest.answers[question.id]))
            box.setAccessibleName(self.tr("Referenssvar: {question}").format(question=question.text))
            self.table.setCellWidget(row, len(headers) - 1, box)
            self._reference_boxes[question.id] = box
        for offset, (label, values) in enumerate((
                (self.tr("Formulärets rekommendation"),
                 [OUTCOME_LABELS.get(c.recommended_outcome, "–") for c in review.columns]),
                (self.tr("Valt utfall"), [OUTCOME_LABELS.get(c.outcome, "–")
                                          for c in review.columns]))):
            row = offset
            cells = [label, *values,
                     spread_text(review.spreads[OUTCOME_KEY]) if offset else "",
                     *([OUTCOME_LABELS[reference.outcome] if reference and offset else ""]
                       if newer else []),
                     OUTCOME_LABELS[latest.outcome] if latest and offset else ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFont(bold)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self._fit_columns()
        self.turns.setPlainText(self._turns_text(review))

    def _fit_columns(self) -> None:
        """Every participant in view: the answer columns as wide as their contents, the
        question column takes what is left and wraps."""
        header = self.table.horizontalHeader()
        self.table.setWordWrap(True)
        last = self.table.columnCount() - 1
        for column in range(1, self.table.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # A long outcome ("Omedelbart skyddsbehov") wraps in the answer columns rather than
        # pushing the reference column, the one the senior edits, out of view.
        for column in range(1, last):
            width = header.sectionSize(column)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, min(width, ANSWER_COLUMN_MAX))
        others = sum(header.sectionSize(c) for c in range(1, self.table.columnCount()))
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        # room for the vertical scroll bar, which appears only once the rows have their heights
        room = self.table.viewport().width() - others - self.table.verticalScrollBar().sizeHint().width()
        self.table.setColumnWidth(0, max(QUESTION_COLUMN_MIN, room - 2))
        self.table.resizeRowsToContents()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # Qt override
        super().resizeEvent(event)
        if self.review is not None:
            self._fit_columns()

    def _turns_text(self, review: Review) -> str:
        form = review.form
        lines = [self.tr("Där formulärets regler gjorde ett annat svar till ett annat utfall:")]
        for turn in review.turns:
            rules = " ".join(form.explain(r) for r in turn.rules_added or turn.rules_removed)
            lines.append(self.tr(
                "• {question}: med ”{to}” i stället för ”{from_}” ({who}) hade formuläret "
                "rekommenderat {outcome} – {rules}").format(
                question=form.question(turn.question_id).text, to=answer_label(turn.to_answer),
                from_=answer_label(turn.from_answer), who=turn.pseudonym,
                outcome=OUTCOME_LABELS[turn.to_outcome].lower(), rules=rules))
        if not review.turns:
            lines.append(self.tr("Inga: skillnaderna i svaren ändrade inte rekommendationen."))
        reasons = [f"{c.pseudonym}: {c.override_reason}" for c in review.columns
                   if c.override_reason]
        if reasons:
            lines.append(self.tr("Skäl till annat utfall än rekommendationen:"))
            lines.extend(f"• {reason}" for reason in reasons)
        if review.vignette.reference:
            lines.append(self.tr("Referenssvarets motivering: {why}").format(
                why=review.vignette.reference.why))
        if review.newer is not None and review.newer.reference:
            lines.append(self.tr("Nytt referenssvar (version {version}): {why}").format(
                version=review.newer.version, why=review.newer.reference.why))
        return "\n".join(lines)

    def reference_answers(self) -> dict[str, str]:
        return {qid: box.currentData() for qid, box in self._reference_boxes.items()
                if box.currentData() is not None}

    def _save_reference(self) -> None:
        if self.review is None:
            return
        reference = self.review.latest.reference
        dialog = ReferenceDialog(self, outcome=reference.outcome if reference else None,
                                 why=reference.why if reference else "")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.sig_save_reference.emit(self.review.vignette.id, self.reference_answers(),
                                         dialog.outcome() or "", dialog.why.toPlainText())


class ReferenceDialog(QDialog):
    """The group's conclusion: the outcome and why (the answers are the table's column)."""

    def __init__(self, parent: QWidget | None, *, outcome: str | None, why: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Spara som referenssvar"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "Referenssvaret sparas som en ny version av vinjetten, med svaren i kolumnen "
            "Referens. Utfall:")))
        self._group = QButtonGroup(self)
        self._buttons: dict[str, QRadioButton] = {}
        for value in reversed(OUTCOMES):
            button = QRadioButton(OUTCOME_LABELS[value])
            button.setChecked(value == outcome)
            self._group.addButton(button)
            self._buttons[value] = button
            layout.addWidget(button)
        layout.addWidget(QLabel(self.tr("Varför gruppen kom fram till det (krävs):")))
        self.why = QPlainTextEdit(why)
        self.why.setTabChangesFocus(True)
        layout.addWidget(self.why)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def outcome(self) -> str | None:
        return next((value for value, button in self._buttons.items() if button.isChecked()), None)
