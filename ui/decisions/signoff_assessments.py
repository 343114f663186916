"""The part of Att signera that lists skyddsbedömningar waiting for a second signature.

Listing shows names only; the skyddsbedömning (an audited read) opens in its own window
only when the senior chooses it: Enter, a double-click or the button.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from mottagning.assessment import OUTCOME_LABELS
from mottagning.assessment.awaiting import SecondSignatureRow
from mottagning.rules.deadlines import seconds_left
from mottagning.timeutil import format_duration_sv
from ui.decisions.signoff_parts import ChoiceList

ITEM_ROLE = Qt.ItemDataRole.UserRole


class SecondSignatureList(QWidget):
    """Lowered skyddsbedömningar of others, most urgent first; `sig_open(item_id)` on a choice."""

    sig_open = Signal(int)  # queue item id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = ChoiceList()  # choosing is deliberate, even if opening needs Enter
        self.list.setObjectName("secondSignatures")
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        self.list.setAccessibleName(self.tr("Skyddsbedömningar som väntar på andra signatur"))
        self.list.setToolTip(self.tr("Enter eller dubbelklick öppnar skyddsbedömningen för signering."))
        self.list.itemActivated.connect(lambda item: self.sig_open.emit(int(item.data(ITEM_ROLE))))
        self.list.currentItemChanged.connect(self._update_button)
        self.open_button = QPushButton(self.tr("Öppna skyddsbedömningen…"))
        self.open_button.setObjectName("openSecondSignature")
        self.open_button.clicked.connect(self._open_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._update_button()

    def show_rows(self, rows: Sequence[SecondSignatureRow], now: datetime) -> None:
        current = self.list.currentItem()
        current_id = None if current is None else int(current.data(ITEM_ROLE))
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            left = seconds_left(row.protection_due, now)
            when = (self.tr("skyddsbedömningen skulle vara klar för {d} sedan") if left < 0
                    else self.tr("{d} kvar")).format(d=format_duration_sv(abs(left)))
            prefix = self.tr("AKUT · ") if row.urgent else ""
            violence = self.tr(" · Våld") if row.violence else ""
            item = QListWidgetItem(self.tr("{prefix}{child} – {outcome}{violence}\n"
                                           "under röda flaggornas nivå · {when} · gjord av {who}").format(
                prefix=prefix, child=row.child_name, outcome=OUTCOME_LABELS.get(row.outcome, row.outcome),
                violence=violence, when=when, who=row.finished_by))
            item.setData(ITEM_ROLE, row.item_id)
            if row.urgent or left < 0:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
            if row.item_id == current_id:  # keep the choice, without re-reading anything
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._update_button()

    def _update_button(self) -> None:
        self.open_button.setEnabled(self.list.currentItem() is not None)

    def _open_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.sig_open.emit(int(item.data(ITEM_ROLE)))
