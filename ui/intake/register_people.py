"""A titled list of person rows (children or guardians) with add and remove."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.intake.register_rows import ChildRow, GuardianRow
from ui.widgets.accessibility import name_widgets

PersonRow = ChildRow | GuardianRow


class PeopleSection(QGroupBox):
    sig_rows_changed = Signal()  # a row was added or removed
    sig_changed = Signal()  # anything typed in any row

    def __init__(self, title: str, row_type: type[ChildRow] | type[GuardianRow],
                 add_label: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self._row_type = row_type
        self.rows: list[PersonRow] = []
        self._rows_layout = QVBoxLayout()
        self.add_button = QPushButton(add_label)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add_and_focus)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(self._rows_layout)
        layout.addLayout(buttons)

    def add_row(self) -> PersonRow:
        row = self._row_type(self)
        row.remove_button.setAutoDefault(False)
        row.sig_changed.connect(self.sig_changed)
        row.sig_remove.connect(self.remove_row)
        self._rows_layout.addWidget(row)
        self.rows.append(row)
        name_widgets(row)
        self.sig_rows_changed.emit()
        self.sig_changed.emit()
        return row

    def _add_and_focus(self) -> None:
        self.add_row().edits["name"].setFocus()

    def remove_row(self, row: PersonRow) -> None:
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.deleteLater()
        self.sig_rows_changed.emit()
        self.sig_changed.emit()
        self.add_button.setFocus()

    def set_row_count(self, count: int) -> None:
        """Exactly `count` rows (a restored draft)."""
        while len(self.rows) > count:
            self.remove_row(self.rows[-1])
        while len(self.rows) < count:
            self.add_row()

    def filled_rows(self) -> list[PersonRow]:
        return [r for r in self.rows if not r.is_empty()]

    def focus_chain(self) -> list[QWidget]:
        return [w for row in self.rows for w in row.focus_chain()] + [self.add_button]
