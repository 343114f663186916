"""The dashboard's charts write numbers as a Swedish reader does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.stats.charts import bar_chart, chart_view, show_chart


@pytest.fixture
def swedish_default_locale() -> Iterator[None]:
    """What ui/app.py sets at start (the tests' process has the machine's locale)."""
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden))
    yield
    QLocale.setDefault(previous)


def test_a_weekly_average_is_labelled_with_a_decimal_comma(swedish_default_locale: None,
                                                            qtbot: QtBot) -> None:
    # QtCharts draws its labels itself (no text items to read back): what it is told to use is
    # checked, with the application's Swedish default.
    parent = QWidget()
    qtbot.addWidget(parent)
    view = chart_view(parent, tooltip="")
    show_chart(view, bar_chart("Inflöde per kanal", ["E-tjänst", "Telefon"],
                               [("Snitt per vecka", [12.5, 3.0])]))
    chart = view.chart()
    assert chart.localizeNumbers()
    assert chart.locale().toString(12.5) == "12,5"
