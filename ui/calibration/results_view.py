"""Agreement in one round (seniors): the outcome, every question with α and its 95 %
interval, most disputed first, the spread and the notes workers wrote; α per round over time."""

from __future__ import annotations

from PySide6.QtCharts import QChart, QDateTimeAxis, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.calibration.results import RoundAlpha, RoundResults
from mottagning.timeutil import to_local
from ui.calibration.format import interval, number, share, spread_text
from ui.stats.charts import PALETTE, chart_view, localize, show_chart

LOW_ALPHA_COLOUR = "#fde0dc"


class ResultsView(QWidget):
    COLUMNS = ("Fråga", "α", "95 % intervall", "Överens (par)", "Som referensen", "Svarande",
               "Svar")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: RoundResults | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("calibrationSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setStyleSheet("font-size: 11pt;")
        layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("agreementTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_notes)
        splitter.addWidget(self.table)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("questionNotes")
        self.notes.setReadOnly(True)
        self.notes.setPlaceholderText(self.tr("Välj en fråga för att se handläggarnas anteckningar."))
        splitter.addWidget(self.notes)
        self.chart = chart_view(self, tooltip=self.tr("Krippendorffs α per omgång"),
                                minimum_height=180)
        self.chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        splitter.addWidget(self.chart)
        splitter.setSizes([400, 80, 260])
        layout.addWidget(splitter, 1)

    def show_results(self, results: RoundResults) -> None:
        self.results = results
        outcome = results.outcome
        self.summary.setText(self.tr(
            "{title}: {participants} deltagare, {answers} svar på {vignettes} vinjetter.\n"
            "Utfallet: α {alpha} (95 % {ci}), överens {agreement}. "
            "Som referenssvaren: {reference} av alla svar, {reference_outcome} av utfallen. "
            "Mest omstridda frågor först; α under {low} är markerat.{newer}"
        ).format(title=results.title, participants=results.participants,
                 answers=results.answers, vignettes=results.vignettes,
                 alpha=number(outcome.alpha), ci=interval(outcome.alpha_ci),
                 agreement=share(outcome.agreement), reference=share(results.reference_agreement),
                 reference_outcome=share(results.reference_outcome_agreement),
                 low=number(results.low_alpha),
                 newer=self.tr("\nOmgången bedöms mot referenssvaren som gällde när den "
                               "öppnades; {count} vinjetter har fått ett nytt referenssvar "
                               "sedan (se Granskning).").format(
                     count=len(results.newer_references)) if results.newer_references else ""))
        self.table.setRowCount(len(results.questions))
        for row, question in enumerate(results.questions):
            figures = question.figures
            cells = (question.text, number(figures.alpha), interval(figures.alpha_ci),
                     share(figures.agreement), share(question.reference_agreement),
                     str(figures.n_raters), spread_text(question.spread))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, question.id)
                item.setToolTip(text if column else f"{question.id}: {text}")
                if figures.alpha is not None and figures.alpha < results.low_alpha:
                    item.setBackground(QColor(LOW_ALPHA_COLOUR))
                self.table.setItem(row, column, item)
        self.notes.clear()
        if results.questions:  # the most disputed question's notes at once
            self.table.selectRow(0)
            self._show_notes()

    def _show_notes(self) -> None:
        if self.results is None or not self.table.selectedItems():
            return
        question_id = self.table.selectedItems()[0].data(Qt.ItemDataRole.UserRole)
        question = next(q for q in self.results.questions if q.id == question_id)
        lines = [self.tr("{who} om ”{title}”: {note}").format(who=who, title=title, note=note)
                 for who, title, note in question.notes]
        self.notes.setPlainText("\n".join(lines) or self.tr("Inga anteckningar till frågan."))

    def show_history(self, history: list[RoundAlpha]) -> None:
        chart = QChart()
        chart.setTitle(self.tr("Krippendorffs α per omgång"))
        localize(chart)
        axis_x = QDateTimeAxis()
        axis_x.setFormat("yyyy-MM-dd")
        axis_y = QValueAxis()
        axis_y.setRange(-0.2, 1.0)
        axis_y.setTitleText("α")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for index, (name, value_of) in enumerate((
                (self.tr("Utfallet"), lambda entry: entry.outcome_alpha),
                (self.tr("Frågorna (median)"), lambda entry: entry.median_question_alpha))):
            line, dots = QLineSeries(), QScatterSeries()
            line.setName(name)
            dots.setColor(QColor(PALETTE[index]))
            dots.setMarkerSize(8)
            line.setColor(QColor(PALETTE[index]))
            for entry in history:
                value = value_of(entry)
                if value is None:
                    continue
                moment = QDateTime.fromSecsSinceEpoch(int(to_local(entry.opened_at).timestamp()))
                line.append(moment.toMSecsSinceEpoch(), value)
                dots.append(moment.toMSecsSinceEpoch(), value)
            for series in (line, dots):
                chart.addSeries(series)
                series.attachAxis(axis_x)
                series.attachAxis(axis_y)
            chart.legend().markers(dots)[0].setVisible(False)
        if history:
            first = QDateTime.fromSecsSinceEpoch(int(history[0].opened_at.timestamp()))
            last = QDateTime.fromSecsSinceEpoch(int(history[-1].opened_at.timestamp()))
            axis_x.setRange(first.addDays(-7), last.addDays(7))
        show_chart(self.chart, chart)
