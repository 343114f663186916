"""The Statistik page: the figures of a period as a committee reads them, each with its
Swedish definition as tooltip, charts, and the exports. Seniors and administrators.

Everything shown comes from `mottagning.stats.figures.compute_figures` (the same function as
`mottagning stats --json` and the exports); the page only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.users import system_actor
from mottagning.context import Actor
from mottagning.rules.codes import channel_label, concern_label, reporter_label
from mottagning.rules.outcomes import OUTCOME_LABELS_SV, Outcome
from mottagning.rules.permissions import Action, allowed
from mottagning.stats.breaches import DECISION, PROTECTION, breaches_per_month, export_breaches
from mottagning.stats.completeness import OrganisationCompleteness, completeness_by_organisation
from mottagning.stats.definitions import BREAKDOWNS, BUCKET_LABELS_SV, HEADLINE
from mottagning.stats.export import export_figures, underlying_rows
from mottagning.stats.figures import Figures, compute_figures
from mottagning.stats.inflow import Inflow, measure_inflow, refresh_inflow
from mottagning.stats.period import Period
from mottagning.stats.period import weeks as period_weeks
from mottagning.timeutil import MONTHS_SV, format_date_sv, format_datetime_sv, utc_now
from ui.operations import Operations
from ui.stats.charts import bar_chart, chart_view, show_chart
from ui.stats.completeness import CompletenessTable
from ui.stats.follow_up import FollowUpPage, ReportFollowUpSection

INFLOW_REFRESH_MS = 15 * 60_000
CARD_STYLE = (
    "QFrame#figures { background: palette(base); border: 1px solid palette(mid);"
    " border-radius: 6px; }"
    "QLabel#figureValue { font-size: 14pt; font-weight: bold; }"
    "QLabel#definition { color: palette(placeholder-text); }"
)


@dataclass(frozen=True)
class Dashboard:
    figures: Figures
    breaches_per_month: list[dict[str, Any]]
    inflow: list[Inflow]
    completeness: list[OrganisationCompleteness]


def load_dashboard(session: Any, actor: Actor, period: Period, now: datetime) -> Dashboard:
    return Dashboard(compute_figures(session, actor, period, now=now),
                     breaches_per_month(session, actor, period, now=now),
                     measure_inflow(session, now=now),
                     completeness_by_organisation(session, actor, period, now=now))


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{value * 100:.1f} %".replace(".", ",")
    if kind == "days":
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", " ")


def _date_edit(value: date, parent: QWidget) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def month_labels(labels: list[str]) -> list[str]:
    """'2026-03' → 'mar' (with the year, 'mar 2026', when the period spans years)."""
    years = {label[:4] for label in labels}
    short = [MONTHS_SV[int(label[5:7]) - 1][:3] for label in labels]
    return short if len(years) == 1 else [f"{m} {label[:4]}" for m, label in zip(short, labels, strict=True)]


def week_labels(labels: list[str]) -> list[str]:
    """'2026-W07' → '7' (the axis is titled Vecka); with the year ('2026 v. 7') when a long
    period would repeat a number (a chart's categories must differ)."""
    short = [str(int(label.split("-W")[-1])) for label in labels]
    if len(set(short)) == len(short):
        return short
    return [label.replace("-W", " v. ") for label in labels]


class StatisticsPage(QWidget):
    sig_loaded = Signal(object)  # Dashboard
    sig_exported = Signal(str)

    def __init__(self, ops: Operations, actor: Actor, *, clock: Callable[[], datetime] = utc_now,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self._clock = ops, actor, clock
        self.dashboard: Dashboard | None = None
        default = Period.default(clock())
        self.start = _date_edit(default.first_day, self)
        self.end = _date_edit(default.last_day, self)
        self.refresh_button = QPushButton(self.tr("Visa"), self)
        self.refresh_button.setDefault(True)
        self.refresh_button.clicked.connect(self.refresh)
        self.publication = QCheckBox(self.tr("För publicering (tal från färre än 5 barn visas som <5)"), self)
        self.export_button = QPushButton(self.tr("Exportera nyckeltal…"), self)
        self.export_button.clicked.connect(self.ask_export)
        self.breaches_button = QPushButton(self.tr("Exportera överskridna tidsfrister…"), self)
        self.breaches_button.clicked.connect(self.ask_export_breaches)
        bar = QHBoxLayout()
        for caption, widget in ((self.tr("Från:"), self.start), (self.tr("Till:"), self.end)):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.publication)
        bar.addWidget(self.export_button)
        bar.addWidget(self.breaches_button)

        self.heading = QLabel(self)
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)

        self.values: dict[str, QLabel] = {}
        self.definitions: dict[str, QLabel] = {}
        # A committee reads a figure with its definition beside it, row by row.
        cards = QFrame(self)
        cards.setObjectName("figures")
        rows = QGridLayout(cards)
        rows.setColumnStretch(2, 1)
        rows.setHorizontalSpacing(16)
        for index, definition in enumerate(HEADLINE):
            self._figure_row(rows, index, definition.key, definition.label, definition.definition)

        self.week_dimension = QComboBox(self)
        self.week_dimension.addItem(self.tr("per kanal"), "channel")
        self.week_dimension.addItem(self.tr("per anmälarkategori"), "reporter_category")
        self.week_dimension.currentIndexChanged.connect(self._show_weeks)
        self.week_chart = chart_view(self, tooltip=BREAKDOWNS["reports_per_week_by_channel"][1],
                                     minimum_height=300)
        self.charts = {
            key: chart_view(self, tooltip=BREAKDOWNS[key][1], minimum_height=
                            360 if key in ("outcomes", "reports_by_concern_category") else 260)
            for key in ("outcomes", "reports_by_concern_category", "child_reports_by_age_band",
                        "child_reports_by_sex", "open_items_by_age", "report_meetings")
        }
        self.breach_chart = chart_view(self, tooltip=self.tr(
            "Skyddsbedömningar klara senare än 24 timmar (eller ännu inte gjorda) och beslut efter "
            "14 dagar utan signerad förlängning, per månad då anmälan kom."))
        self.inflow_chart = chart_view(self, tooltip=self.tr(
            "Anmälningar de senaste 7 dagarna jämfört med snittet per vecka de 8 veckorna före, per "
            "kanal. Under 40 % av snittet blir ett larm om minskat inflöde."))

        grid = QGridLayout()
        week_box = QVBoxLayout()
        week_bar = QHBoxLayout()
        week_bar.addWidget(QLabel(self.tr("Inkomna anmälningar per vecka"), self))
        week_bar.addWidget(self.week_dimension)
        week_bar.addStretch(1)
        week_box.addLayout(week_bar)
        week_box.addWidget(self.week_chart)
        self.week_definition = QLabel(BREAKDOWNS["reports_per_week_by_channel"][1], self)
        self.week_definition.setObjectName("definition")
        week_box.addWidget(self.week_definition)
        grid.addLayout(week_box, 0, 0, 1, 2)
        placed = [self.charts["outcomes"], self.charts["reports_by_concern_category"],
                  self.charts["child_reports_by_age_band"], self.charts["child_reports_by_sex"],
                  self.charts["open_items_by_age"], self.breach_chart, self.inflow_chart,
                  self.charts["report_meetings"]]
        for index, view in enumerate(placed):
            grid.addLayout(self._with_definition(view), 1 + index // 2, index % 2)
        self.completeness = CompletenessTable(ops, actor, period=self.period, clock=clock, parent=self)
        self.completeness.sig_exported.connect(self._exported)

        content = QWidget(self)
        inner = QVBoxLayout(content)
        inner.addWidget(self.heading)
        inner.addWidget(cards)
        inner.addLayout(grid)
        inner.addWidget(self.completeness)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        self.setStyleSheet(CARD_STYLE)

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        # Looking at statistics is audited: compute them when the page is first shown.
        super().showEvent(event)
        if self.dashboard is None and self.refresh_button.isEnabled():
            self.refresh()

    def _figure_row(self, rows: QGridLayout, index: int, key: str, caption: str,
                    definition: str) -> None:
        name = QLabel(caption, self)
        name.setToolTip(definition)
        value = QLabel("–", self)
        value.setObjectName("figureValue")
        value.setProperty("figure", key)
        value.setToolTip(definition)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        explained = QLabel(definition, self)
        explained.setObjectName("definition")
        explained.setWordWrap(True)
        rows.addWidget(name, index, 0)
        rows.addWidget(value, index, 1)
        rows.addWidget(explained, index, 2)
        self.values[key], self.definitions[key] = value, explained

    def _with_definition(self, view: QWidget) -> QVBoxLayout:
        """A chart with its definition written under it (also its tooltip)."""
        column = QVBoxLayout()
        column.addWidget(view)
        explained = QLabel(view.toolTip(), self)
        explained.setObjectName("definition")
        explained.setWordWrap(True)
        column.addWidget(explained)
        return column

    def period(self) -> Period:
        start, end = self.start.date(), self.end.date()
        return Period(date(start.year(), start.month(), start.day()),
                      date(end.year(), end.month(), end.day()))

    def refresh(self) -> None:
        """Compute the figures of the chosen period off the GUI thread (an audited look)."""
        try:
            period = self.period()
        except Exception as exc:  # a period that ends before it starts
            self._ops.errors.show_error(exc)
            return
        actor, now = self._actor, self._clock()
        self.refresh_button.setEnabled(False)
        self._ops.query(lambda session: load_dashboard(session, actor, period, now),
                        success=self._show, failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self._ops.errors.show_error(error)

    def _show(self, dashboard: Dashboard) -> None:
        self.refresh_button.setEnabled(True)
        self.dashboard = dashboard
        figures = dashboard.figures
        self.heading.setText(self.tr("Mottagningens statistik {first} – {last} (beräknad {now})").format(
            first=format_date_sv(figures.period.first_day), last=format_date_sv(figures.period.last_day),
            now=format_datetime_sv(figures.computed_at)))
        for definition in HEADLINE:
            self.values[definition.key].setText(format_value(figures[definition.key], definition.kind))
        self._show_weeks()
        outcomes = [o.value for o in Outcome]
        show_chart(self.charts["outcomes"], bar_chart(
            BREAKDOWNS["outcomes"][0], [OUTCOME_LABELS_SV[Outcome(o)] for o in outcomes],
            [(self.tr("Alla"), [figures["outcomes"][o] for o in outcomes]),
             (self.tr("Våldsmarkerade"), [figures["violence_flagged_outcomes"][o] for o in outcomes])],
            horizontal=True))
        concerns = sorted(figures["reports_by_concern_category"].items(), key=lambda kv: kv[1])
        show_chart(self.charts["reports_by_concern_category"], bar_chart(
            BREAKDOWNS["reports_by_concern_category"][0], [concern_label(c) for c, _n in concerns],
            [(self.tr("Anmälningar"), [n for _c, n in concerns])], horizontal=True))
        for key in ("child_reports_by_age_band", "child_reports_by_sex", "open_items_by_age",
                    "report_meetings"):
            buckets = figures[key]
            show_chart(self.charts[key], bar_chart(
                BREAKDOWNS[key][0], [BUCKET_LABELS_SV.get(k, k) for k in buckets],
                [(self.tr("Antal"), list(buckets.values()))]))
        months = dashboard.breaches_per_month
        show_chart(self.breach_chart, bar_chart(
            self.tr("Överskridna tidsfrister per månad"), month_labels([m["month"] for m in months]),
            [(self.tr("Skyddsbedömning > 24 h"), [m[PROTECTION] for m in months]),
             (self.tr("Beslut > 14 dagar"), [m[DECISION] for m in months])]))
        channels = [i for i in dashboard.inflow if i.dimension == "channel"]
        self.completeness.show_rows(dashboard.completeness)
        show_chart(self.inflow_chart, bar_chart(
            self.tr("Inflöde per kanal"), [channel_label(i.name) for i in channels],
            [(self.tr("Senaste 7 dagarna"), [i.last_7_days for i in channels]),
             (self.tr("Snitt per vecka, 8 veckor före"), [round(i.weekly_average, 1) for i in channels])]))
        self.sig_loaded.emit(dashboard)

    def _show_weeks(self) -> None:
        if self.dashboard is None:
            return
        dimension = self.week_dimension.currentData()
        key = f"reports_per_week_by_{dimension}"
        rows = self.dashboard.figures[key]
        weeks = [label for label, _start, _end in period_weeks(self.dashboard.figures.period)]
        names = sorted({r[dimension] for r in rows})
        counts = {(r["week"], r[dimension]): r["reports"] for r in rows}
        label = channel_label if dimension == "channel" else reporter_label
        self.week_chart.setToolTip(BREAKDOWNS[key][1])
        self.week_definition.setText(BREAKDOWNS[key][1])
        show_chart(self.week_chart, bar_chart(
            BREAKDOWNS[key][0], week_labels(weeks),
            [(label(n), [counts.get((w, n), 0) for w in weeks]) for n in names], stacked=True,
            category_title=self.tr("Vecka")))

    def ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Exportera nyckeltal"), "statistik.xlsx",
            self.tr("Excel-arbetsbok (*.xlsx);;CSV-fil (*.csv)"))
        if path:
            self.export_to(Path(path), publication=self.publication.isChecked())

    def export_to(self, path: Path, *, publication: bool) -> None:
        """The same figures to XLSX (with the pseudonymous rows) or CSV, audited."""
        actor, now, period = self._actor, self._clock(), self.period()

        def work(session: Any) -> str:
            figures = compute_figures(session, actor, period, now=now, audited=False)
            rows = None if publication or path.suffix.lower() != ".xlsx" else \
                underlying_rows(session, actor, period, now=now)
            export_figures(session, actor, figures, path, publication=publication, now=now, rows=rows)
            return str(path)

        self._ops.query(work, success=self._exported)

    def ask_export_breaches(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Exportera överskridna tidsfrister"), "overskridanden.xlsx",
            self.tr("Excel-arbetsbok (*.xlsx);;CSV-fil (*.csv)"))
        if path:
            actor, now, period = self._actor, self._clock(), self.period()
            self._ops.query(
                lambda session: str(export_breaches(session, actor, period, Path(path), now=now) and path),
                success=self._exported)

    def _exported(self, path: str) -> None:
        self.sig_exported.emit(path)
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(self.tr("Exporterat till {path}.").format(path=path), 10_000)


class InflowWatch(QObject):
    """Runs the inflow watch when the window opens and every quarter of an hour, as the
    system user, for every role: its alarm shows in the banner like any other."""

    def __init__(self, ops: Operations, clock: Callable[[], datetime], parent: QObject) -> None:
        super().__init__(parent)
        self._ops, self._clock = ops, clock
        self._timer = QTimer(self, interval=INFLOW_REFRESH_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        parent.installEventFilter(self)
        self.check()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self.parent() and event.type() == QEvent.Type.Close:
            self._timer.stop()  # before the window's operations shut down
        return False

    def check(self) -> None:
        now = self._clock()
        self._ops.mutate(lambda session: refresh_inflow(session, system_actor(session), now=now))


@dataclass
class StatisticsArea:
    watch: InflowWatch
    page: StatisticsPage | None
    follow_up: FollowUpPage | None = None
    report_section: ReportFollowUpSection | None = None


def install(window) -> StatisticsArea:  # type: ignore[no-untyped-def]
    """The inflow watch for everyone; the Statistik page for seniors and administrators; the
    Uppföljning page and the detail pane's follow-up section for those who write letters."""
    watch = InflowWatch(window.ops, window.clock, window)
    page = follow_up = section = None
    if allowed(window.actor.roles, Action.VIEW_STATISTICS):
        page = StatisticsPage(window.ops, window.actor, clock=window.clock)
        window.add_page(window.tr("Statistik"), page)
    if allowed(window.actor.roles, Action.WRITE_LETTER):
        follow_up = FollowUpPage(window.ops, window.actor)
        follow_up.sig_open_item.connect(window.show_item)
        window.add_page(window.tr("Uppföljning"), follow_up)
        section = ReportFollowUpSection(window)
    return StatisticsArea(watch, page, follow_up, section)
