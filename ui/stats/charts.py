"""Bar charts for the dashboard (QtCharts from PySide6-Addons)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

# Calm colours that stay apart in print and for colour-blind readers (Okabe–Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#999999", "#7f3c8d", "#11a579", "#3969ac", "#f2b701", "#e73f74", "#80ba5a")


def chart_view(parent: QWidget, *, tooltip: str, minimum_height: int = 230) -> QChartView:
    view = QChartView(parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(minimum_height)
    view.setToolTip(tooltip)
    return view


def bar_chart(
    title: str, categories: Sequence[str], sets: Sequence[tuple[str, Sequence[float]]], *,
    stacked: bool = False, horizontal: bool = False, labels: bool = True,
    category_title: str = "",
) -> QChart:
    """A bar chart: one QBarSet per (name, values), one bar group per category."""
    if horizontal:
        series = QHorizontalBarSeries()
    elif stacked:
        series = QStackedBarSeries()
    else:
        series = QBarSeries()
    for index, (name, values) in enumerate(sets):
        bar_set = QBarSet(name)
        bar_set.append([float(v) for v in values])
        bar_set.setColor(PALETTE[index % len(PALETTE)])
        series.append(bar_set)
    series.setLabelsVisible(labels and not stacked)
    chart = QChart()
    chart.setTitle(title)
    chart.addSeries(series)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    localize(chart)
    category_axis = QBarCategoryAxis()
    category_axis.append(list(categories))
    if category_title:
        category_axis.setTitleText(category_title)
    if len(categories) > 20:  # a year of weeks: small labels, or they are cut to "…"
        font = category_axis.labelsFont()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        category_axis.setLabelsFont(font)
    value_axis = QValueAxis()
    value_axis.setLabelFormat("%d")
    top = max((sum(col) if stacked else max(col)) for col in zip(*(v for _n, v in sets), strict=True)) \
        if sets and categories else 0
    value_axis.setRange(0, max(1.0, float(top) * 1.15))
    value_axis.applyNiceNumbers()
    if value_axis.max() <= 5:  # whole numbers only: no ticks between 0 and 1 all reading "0"
        value_axis.setTickCount(int(value_axis.max()) + 1)
    category_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
                                 if horizontal else
                                 (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
    chart.addAxis(category_axis, category_side)
    chart.addAxis(value_axis, value_side)
    series.attachAxis(category_axis)
    series.attachAxis(value_axis)
    chart.legend().setVisible(len(sets) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight if stacked else Qt.AlignmentFlag.AlignBottom)
    return chart


def localize(chart: QChart) -> None:
    """Numbers in labels as a Swedish reader writes them ("12,5", not "12.5")."""
    chart.setLocale(QLocale())  # the application's default: Swedish (ui/app.py)
    chart.setLocalizeNumbers(True)


def show_chart(view: QChartView, chart: QChart) -> None:
    """Replace the view's chart; the old one is deleted (the view does not own it any more)."""
    old = view.chart()
    view.setChart(chart)
    if old is not None:
        old.deleteLater()
