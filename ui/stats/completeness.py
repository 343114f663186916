"""The Statistik page's table of report completeness per reporting organisation: how often a
school's or a preschool's reports lack each expected element, so the unit can give concrete
feedback; exported per organisation (no child is named)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor
from mottagning.rules.codes import reporter_label
from mottagning.stats.completeness import (
    ELEMENT_LABELS_SV,
    ELEMENTS,
    OrganisationCompleteness,
    export_completeness,
)
from mottagning.stats.period import Period
from ui.operations import Operations

SHORT_LABELS = {"child_identity": "Barnets identitet", "observation": "Iakttagelse och när",
                "guardians_informed": "Vårdnadshavare vet?", "reporter_contact": "Anmälarens kontakt"}


def share_text(part: int, whole: int) -> str:
    """'2 (40 %)': how many, and the share of the organisation's reports."""
    return f"{part} ({round(100 * part / whole)} %)" if whole else "–"


class CompletenessTable(QWidget):
    sig_exported = Signal(str)

    def __init__(self, ops: Operations, actor: Actor, *, period: Callable[[], Period],
                 clock: Callable[[], datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor, self._period, self._clock = ops, actor, period, clock
        self.rows: list[OrganisationCompleteness] = []
        columns = [self.tr("Organisation"), self.tr("Kategori"), self.tr("Anmälningar"),
                   *(self.tr(SHORT_LABELS[e]) for e in ELEMENTS)]
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("completeness")
        self.table.setHorizontalHeaderLabels(columns)
        for index, element in enumerate(ELEMENTS, start=3):
            self.table.horizontalHeaderItem(index).setToolTip(self.tr("Saknar: {element}").format(
                element=ELEMENT_LABELS_SV[element].lower()))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(220)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.export_one_button = QPushButton(self.tr("Exportera för vald organisation…"), self)
        self.export_all_button = QPushButton(self.tr("Exportera alla…"), self)
        self.export_one_button.clicked.connect(lambda: self.ask_export(one=True))
        self.export_all_button.clicked.connect(lambda: self.ask_export(one=False))
        heading = QLabel(self.tr("Anmälningarnas fullständighet per anmälande organisation"), self)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        definition = QLabel(self.tr(
            "Hur många av organisationens anmälningar under perioden som saknar det en fullständig "
            "anmälan ska innehålla: barnets identitet (personnummer eller födelsedatum), vad som "
            "iakttagits och när (bedömt av handläggare), om vårdnadshavarna känner till anmälan och "
            "anmälarens kontaktuppgifter. Anonyma anmälningar ingår inte. Exporten namnger inget barn "
            "och kan skickas till organisationen."), self)
        definition.setWordWrap(True)
        definition.setObjectName("definition")
        bar = QHBoxLayout()
        bar.addWidget(heading, 1)
        bar.addWidget(self.export_one_button)
        bar.addWidget(self.export_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(definition)
        layout.addWidget(self.table)
        self._update_buttons()

    def show_rows(self, rows: list[OrganisationCompleteness]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            values = [row.organisation, reporter_label(row.reporter_category), str(row.reports),
                      *(share_text(row.missing[e], row.reports) for e in ELEMENTS)]
            for column, value in enumerate(values):
                self.table.setItem(number, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def selected(self) -> OrganisationCompleteness | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _update_buttons(self) -> None:
        self.export_one_button.setEnabled(self.selected() is not None)
        self.export_all_button.setEnabled(bool(self.rows))

    def ask_export(self, *, one: bool) -> None:
        chosen = self.selected() if one else None
        name = "fullstandighet.xlsx" if chosen is None else \
            "fullstandighet-" + "".join(c if c.isalnum() else "-" for c in chosen.organisation) + ".xlsx"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Exportera fullständighet"), name,
            self.tr("Excel-arbetsbok (*.xlsx);;CSV-fil (*.csv)"))
        if path:
            self.export_to(Path(path), organisation=None if chosen is None else chosen.organisation)

    def export_to(self, path: Path, *, organisation: str | None) -> None:
        actor, now, period = self._actor, self._clock(), self._period()

        def work(session: Any) -> str:
            export_completeness(session, actor, period, path, organisation=organisation, now=now)
            return str(path)

        self._ops.query(work, success=self.sig_exported.emit)
