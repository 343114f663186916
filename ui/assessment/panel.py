"""The right-hand side of the assessment screen: the live recommendation, finishing, and
what follows (second signature, the acute checklist, the PDF)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.assessment import (
    IMMEDIATE_PROTECTION,
    NO_IMMEDIATE_NEED,
    OUTCOME_LABELS,
    OUTCOMES,
    Form,
    Recommendation,
)
from mottagning.assessment.form import outcome_rank
from mottagning.assessment.service import CHECKLIST, STATUS_LABELS, AssessmentState
from mottagning.i18n import ngettext
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE
from mottagning.timeutil import format_datetime_sv
from ui.widgets.style import ERROR_BOX, WARNING_BOX

OUTCOME_STYLE = {
    IMMEDIATE_PROTECTION: "background: #b71c1c; color: white;",
    NO_IMMEDIATE_NEED: "background: #2e7d32; color: white;",
}
PRELIMINARY_STYLE = "background: #757575; color: white;"
BADGE = "font-weight: bold; font-size: 13pt; padding: 8px; border-radius: 4px; "


def _label(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if style:
        label.setStyleSheet(style)
    return label


def _heading(text: str) -> QLabel:
    label = _label(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


class OutcomePanel(QWidget):
    sig_finish = Signal()
    sig_second_sign = Signal()
    sig_checklist = Signal(str, bool)
    sig_pdf = Signal()

    def __init__(self, *, violence: bool, immediate_danger: bool = False,
                 training: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        # In training mode nothing after finishing is case work: no checklist, no PDF.
        self._training = training
        self._recommended: str | None = None
        self._floor: str | None = None
        self._chosen_by_worker = False
        # On a report marked Akut fara nothing lower than immediate protection is chosen
        # for the worker: they choose it themselves.
        self._immediate_danger = immediate_danger
        self._presetting = False
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)

        layout.addWidget(_heading(self.tr("Rekommendation")))
        self.outcome_badge = _label()
        self.outcome_badge.setObjectName("recommendation")
        layout.addWidget(self.outcome_badge)
        self.floor_label = _label()
        layout.addWidget(self.floor_label)
        self.rules_label = _label()
        self.rules_label.setObjectName("rulesFired")
        layout.addWidget(self.rules_label)
        self.gaps_label = _label()
        layout.addWidget(self.gaps_label)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        if violence:
            layout.addWidget(_label(self.tr(
                "Anmälan gäller våld mot barnet eller att barnet har bevittnat våld: en "
                "utredning ska inledas utan dröjsmål, oavsett utfallet här."), ERROR_BOX))

        self.finish_box = QWidget()
        finish = QVBoxLayout(self.finish_box)
        finish.setContentsMargins(0, 0, 0, 0)
        finish.addWidget(_heading(self.tr("Utfall")))
        if immediate_danger:
            self.danger_hint = _label(self.tr(
                "Anmälan är markerad Akut fara: välj utfallet själv."), WARNING_BOX)
            finish.addWidget(self.danger_hint)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        self._outcome_group = group = QButtonGroup(self)
        for outcome in reversed(OUTCOMES):
            button = QRadioButton(OUTCOME_LABELS[outcome])
            button.setObjectName(f"outcome_{outcome}")
            button.setAccessibleName(self.tr("Utfall: {outcome}").format(
                outcome=OUTCOME_LABELS[outcome]))
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.toggled.connect(self._on_outcome_toggled)
            group.addButton(button)
            self.outcome_buttons[outcome] = button
            finish.addWidget(button)
        self.reason_caption = _label(self.tr(
            "Skäl till att du väljer ett annat utfall än rekommendationen (krävs):"))
        finish.addWidget(self.reason_caption)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("overrideReason")
        self.reason.setAccessibleName(self.tr("Skäl till annat utfall"))
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        finish.addWidget(self.reason)
        self.floor_warning = _label(self.tr(
            "Utfallet ligger under den lägsta nivå som de röda flaggorna kräver. "
            "Bedömningen räknas först när en förste socialsekreterare eller enhetschef har "
            "signerat den som andra bedömare."), WARNING_BOX)
        finish.addWidget(self.floor_warning)
        # Not in the panel's layout: the screen keeps it in view below the scrolling panel,
        # however long the recommendation grows.
        self.finish_button = QPushButton(
            self.tr("Slutför övningen (Ctrl+Enter)") if training
            else self.tr("Slutför skyddsbedömningen (Ctrl+Enter)"))
        self.finish_button.setObjectName("finish")
        self.finish_button.setAccessibleName(self.tr("Slutför skyddsbedömningen"))
        self.finish_button.clicked.connect(self.sig_finish)
        layout.addWidget(self.finish_box)

        self.done_box = QWidget()
        done = QVBoxLayout(self.done_box)
        done.setContentsMargins(0, 0, 0, 0)
        self.status_label = _label()
        self.status_label.setObjectName("assessmentStatus")
        done.addWidget(self.status_label)
        self.second_sign_button = QPushButton(self.tr("Signera som andra bedömare…"))
        self.second_sign_button.setObjectName("secondSign")
        self.second_sign_button.clicked.connect(self.sig_second_sign)
        done.addWidget(self.second_sign_button)
        self.checklist_box = QWidget()
        checklist = QVBoxLayout(self.checklist_box)
        checklist.setContentsMargins(0, 6, 0, 0)
        checklist.addWidget(_heading(self.tr("Omedelbart skyddsbehov – gör nu")))
        self.checklist: dict[str, QCheckBox] = {}
        for step, text in CHECKLIST:
            box = QCheckBox(text)
            box.setObjectName(f"check_{step}")
            box.toggled.connect(lambda on, s=step: self.sig_checklist.emit(s, on))
            self.checklist[step] = box
            checklist.addWidget(box)
        checklist.addWidget(_label(self.tr(
            "Ett brådskande förslag om att inleda utredning har skapats och väntar på "
            "signatur; skyddet väntar inte på den.")))
        done.addWidget(self.checklist_box)
        self.pdf_button = QPushButton(self.tr("Skriv ut / spara PDF"))
        self.pdf_button.setObjectName("pdf")
        self.pdf_button.clicked.connect(self.sig_pdf)
        done.addWidget(self.pdf_button)
        layout.addWidget(self.done_box)
        layout.addStretch()
        self.done_box.hide()
        self._update_finish()

    # -- the live recommendation -----------------------------------------------

    def show_recommendation(self, form: Form, result: Recommendation, *, open_gaps: int) -> None:
        self._recommended, self._floor = result.outcome, result.floor
        # An all-clear before the questions are answered would reassure too early: until
        # then a "no need" recommendation is shown as preliminary, in grey.
        preliminary = open_gaps and result.outcome == NO_IMMEDIATE_NEED
        self.outcome_badge.setText(
            self.tr("Preliminärt: {outcome}").format(outcome=OUTCOME_LABELS[result.outcome].lower())
            if preliminary else OUTCOME_LABELS[result.outcome])
        self.outcome_badge.setStyleSheet(BADGE + (PRELIMINARY_STYLE if preliminary
                                                  else OUTCOME_STYLE[result.outcome]))
        self.floor_label.setText(
            self.tr("Röda flaggor kräver minst: {floor}").format(floor=OUTCOME_LABELS[result.floor])
            if result.floor else self.tr("Ingen röd flagga."))
        if result.rules_fired:
            self.rules_label.setText(self.tr("Därför:") + "\n" + "\n".join(
                f"• {form.explain(fired)}" for fired in result.rules_fired))
        else:
            self.rules_label.setText(self.tr("Inga regler har slagit till."))
        if open_gaps:
            self.gaps_label.setText(ngettext(
                self.tr("{n} sak kvar innan bedömningen kan slutföras (obesvarade frågor, "
                        "anteckningar som krävs)."),
                self.tr("{n} saker kvar innan bedömningen kan slutföras (obesvarade frågor, "
                        "anteckningar som krävs)."), open_gaps).format(n=open_gaps))
            self.gaps_label.setStyleSheet(WARNING_BOX)
        else:
            self.gaps_label.setText(self.tr("Alla frågor är besvarade."))
            self.gaps_label.setStyleSheet("")
        if not self._chosen_by_worker:
            self._preselect(result.outcome)
        self._update_finish()

    def _preselect(self, recommended: str) -> None:
        self._presetting = True
        try:
            if self._immediate_danger and \
                    outcome_rank(recommended) < outcome_rank(IMMEDIATE_PROTECTION):
                self._outcome_group.setExclusive(False)
                for button in self.outcome_buttons.values():
                    button.setChecked(False)
                self._outcome_group.setExclusive(True)
            else:
                self.outcome_buttons[recommended].setChecked(True)
        finally:
            self._presetting = False

    def chosen_outcome(self) -> str | None:
        for outcome, button in self.outcome_buttons.items():
            if button.isChecked():
                return outcome
        return None

    def _on_outcome_toggled(self, checked: bool) -> None:
        if checked and not self._presetting and self._recommended is not None:
            button = self.sender()
            self._chosen_by_worker = (self._immediate_danger
                                      or button is not self.outcome_buttons[self._recommended])
        self._update_finish()

    def _update_finish(self) -> None:
        chosen = self.chosen_outcome()
        differs = chosen is not None and chosen != self._recommended
        self.reason_caption.setVisible(differs)
        self.reason.setVisible(differs)
        self.floor_warning.setVisible(bool(
            chosen and self._floor and outcome_rank(chosen) < outcome_rank(self._floor)))

    # -- after finishing ---------------------------------------------------------

    def show_finished(self, state: AssessmentState, *, can_second_sign: bool) -> None:
        self.finish_box.hide()
        self.finish_button.hide()
        self.done_box.show()
        lines = [self.tr("Övningen är slutförd") if self._training else STATUS_LABELS[state.status],
                 self.tr("Utfall: {outcome}").format(outcome=OUTCOME_LABELS[state.outcome or ""])]
        if state.override_reason:
            lines.append(self.tr("Skäl: {reason}").format(reason=state.override_reason))
        if state.finished_at:
            lines.append(self.tr("Avslutad {when} av {who}").format(
                when=format_datetime_sv(state.finished_at), who=state.finished_by))
        if state.second_signed_at:
            lines.append(self.tr("Andra signatur {when} av {who}").format(
                when=format_datetime_sv(state.second_signed_at), who=state.second_signer))
        awaiting = state.status == AWAITING_SECOND_SIGNATURE
        self.status_label.setText("\n".join(lines))
        self.status_label.setStyleSheet(WARNING_BOX if awaiting else "")
        self.second_sign_button.setVisible(awaiting and can_second_sign)
        acute = state.outcome == IMMEDIATE_PROTECTION and not awaiting
        self.checklist_box.setVisible(acute and not self._training)
        for step, box in self.checklist.items():
            box.blockSignals(True)
            box.setChecked(bool(state.checklist.get(step)))
            box.blockSignals(False)
        self.pdf_button.setVisible(not awaiting and not self._training)
