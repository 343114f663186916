"""The first part of the register dialog: how and when the report came, and who made it.

The "anonymous" switch clears and disables every identity field, so an anonymous
reporter's identity is neither stored nor kept in a draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from mottagning.intake.reports import MANUAL_CHANNELS
from mottagning.rules.codes import channel_label, codes
from mottagning.timeutil import STOCKHOLM, Clock, to_local, utc_now

IDENTITY_FIELDS = ("name", "organisation", "role", "phone", "email")


class QuickDateTimeEdit(QDateTimeEdit):
    """Tab leaves the field instead of walking its five sections (arrows still do that):
    the receipt time is usually right as it is, and a phone call is no time for six Tabs."""

    def focusNextPrevChild(self, forward: bool) -> bool:  # Qt override
        return QWidget.focusNextPrevChild(self, forward)


class ReporterFields(QWidget):
    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = utc_now):
        super().__init__(parent)
        self._clock = clock
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_report_section())
        layout.addWidget(self._build_reporter_section())

    def _changed(self) -> None:
        self.sig_changed.emit()

    def _build_report_section(self) -> QWidget:
        section = QWidget()
        grid = QGridLayout(section)
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        for code in MANUAL_CHANNELS:
            self.channel.addItem(channel_label(code), code)
        self.received_at = QuickDateTimeEdit()
        self.received_at.setObjectName("received_at")
        self.received_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received_at.setCalendarPopup(True)
        self.set_received_at(self._clock())
        self.category = QComboBox()
        self.category.setObjectName("category")
        self.category.addItem(self.tr("– välj –"), "")
        for code, entry in codes().reporter_categories.items():
            self.category.addItem(entry.label, code)
        self.anonymous = QCheckBox(self.tr("A&nonym anmälare"))
        self.anonymous.setObjectName("anonymous")
        for column, (caption, widget) in enumerate((
            (self.tr("&Kanal"), self.channel), (self.tr("&Mottagen"), self.received_at),
            (self.tr("Anmälar&kategori"), self.category),
        )):
            label = QLabel(caption)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
        grid.addWidget(self.anonymous, 1, 3)
        self.channel.currentIndexChanged.connect(self._changed)
        self.received_at.dateTimeChanged.connect(self._changed)
        self.category.currentIndexChanged.connect(self._on_category)
        self.anonymous.toggled.connect(self._on_anonymous)
        return section

    def _build_reporter_section(self) -> QWidget:
        section = QWidget()
        form = QFormLayout(section)
        self.reporter: dict[str, QLineEdit] = {}
        for key, caption in zip(IDENTITY_FIELDS, (
                self.tr("Anmälarens namn"), self.tr("Organisation"), self.tr("Roll / befattning"),
                self.tr("Telefon"), self.tr("E-post")), strict=True):
            line = QLineEdit()
            line.setObjectName(f"reporter_{key}")
            line.textChanged.connect(self._changed)
            form.addRow(caption, line)
            self.reporter[key] = line
        self.wants_feedback = QCheckBox(self.tr("Vill ha åter&koppling (anmälningsskyldig)"))
        self.wants_feedback.setObjectName("wants_feedback")
        self.wants_feedback.setEnabled(False)
        self.wants_feedback.toggled.connect(self._changed)
        form.addRow("", self.wants_feedback)
        return section

    def _on_category(self) -> None:
        category = self.category.currentData()
        if category == "anonym" and not self.anonymous.isChecked():
            self.anonymous.setChecked(True)
        self._update_feedback()
        self._changed()

    def _on_anonymous(self, anonymous: bool) -> None:
        # an anonymous reporter has no identity stored anywhere, not even in the draft
        for edit in self.reporter.values():
            if anonymous:
                edit.clear()
            edit.setEnabled(not anonymous)
        if anonymous and not self.category.currentData():
            self.category.setCurrentIndex(self.category.findData("anonym"))
        self._update_feedback()
        self._changed()

    def _update_feedback(self) -> None:
        allowed = (self.category.currentData() in codes().mandatory_reporters
                   and not self.anonymous.isChecked())
        if not allowed:
            self.wants_feedback.setChecked(False)
        self.wants_feedback.setEnabled(allowed)

    def set_received_at(self, moment: datetime) -> None:
        # the edit shows Stockholm wall-clock time whatever the computer's own zone is
        local = to_local(moment)
        self.received_at.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                               QTime(local.hour, local.minute)))

    def received_moment(self) -> datetime:
        value = self.received_at.dateTime()
        day, clock = value.date(), value.time()
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(),
                        tzinfo=STOCKHOLM)

    def focus_chain(self) -> list[QWidget]:
        return [self.channel, self.received_at, self.category, self.anonymous,
                *self.reporter.values(), self.wants_feedback]

    def identity(self, key: str) -> str | None:
        return None if self.anonymous.isChecked() else (self.reporter[key].text().strip() or None)

    def to_dict(self) -> dict[str, Any]:
        anonymous = self.anonymous.isChecked()
        return {
            "channel": self.channel.currentData(),
            "received_at": self.received_moment().isoformat(),
            "reporter_category": self.category.currentData(),
            "anonymous": anonymous,
            "reporter": {} if anonymous else {k: e.text() for k, e in self.reporter.items()},
            "wants_feedback": self.wants_feedback.isChecked(),
        }

    def load(self, content: dict[str, Any]) -> None:
        channel = content.get("channel")
        if self.channel.findData(channel) < 0 and channel in codes().channels:
            # e.g. an e-service report registered by hand from the quarantine
            self.channel.addItem(channel_label(channel), channel)
        self.channel.setCurrentIndex(max(0, self.channel.findData(channel)))
        if content.get("received_at"):
            self.set_received_at(datetime.fromisoformat(content["received_at"]))
        self.category.setCurrentIndex(max(0, self.category.findData(content.get("reporter_category"))))
        self.anonymous.setChecked(bool(content.get("anonymous")))
        for key, value in (content.get("reporter") or {}).items():
            if key in self.reporter:
                self.reporter[key].setText(value)
        self.wants_feedback.setChecked(bool(content.get("wants_feedback")))
