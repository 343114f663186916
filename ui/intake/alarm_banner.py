"""The red banner above the queue while any alarm is open: silence is an alarm."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from mottagning.intake.alarms import AlarmView

BANNER_STYLE = (
    "QFrame#alarmBanner { background: #b3261e; border-radius: 4px; }"
    "QFrame#alarmBanner QLabel { color: white; font-weight: bold; font-size: 11pt; }"
)


class AlarmBanner(QFrame):
    sig_show_alarms = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("alarmBanner")
        self.setStyleSheet(BANNER_STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.button = QPushButton(self.tr("Visa larm…"))
        self.button.clicked.connect(self.sig_show_alarms)
        layout.addWidget(self.button)
        self.hide()

    def show_alarms(self, alarms: list[AlarmView]) -> None:
        if not alarms:
            self.hide()
            return
        kinds: dict[str, int] = {}
        for alarm in alarms:
            kinds[alarm.kind_label] = kinds.get(alarm.kind_label, 0) + 1
        summary = ", ".join(f"{label.lower()} ({count})" for label, count in kinds.items())
        self.label.setText(self.tr(
            "⚠  Öppna larm: {count} – {summary}. Ingen anmälan får gå förlorad: "
            "se efter vad som har hänt."
        ).format(count=len(alarms), summary=summary))
        self.show()
