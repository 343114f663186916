"""Follow-up where a worker looks for it: the Uppföljning page (återkoppling due to mandatory
reporters, anmälningsmöten offered or booked) and a section of the item's detail pane (the
report's anmälningsmöte, the item's återkoppling). The återkoppling letter is one click: the
letter dialog opens on it, ready to approve; once approved it waits in the print queue and
marking it sent closes the återkoppling (the letters area's rule). Phone and meeting are
recorded here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, QObject, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.context import Actor, Changes
from mottagning.letters.model import LetterKind
from mottagning.queue.listing import ItemDetail
from mottagning.rules.codes import reporter_label
from mottagning.stats.completeness import observation_judged, record_observation
from mottagning.stats.follow_up import (
    FeedbackDue,
    MeetingState,
    feedback_due,
    meetings_pending,
    record_feedback_given,
    record_meeting,
    report_meeting,
)
from mottagning.timeutil import STOCKHOLM, as_utc, format_date_sv, format_datetime_sv, to_local
from ui.letters.dialog import LetterDialog
from ui.operations import Operations
from ui.widgets.style import WARNING_BOX

FEEDBACK_COLUMNS = ("Ärende", "Anmälare", "Besked", "Senast", "Läge")
OVERDUE_BACKGROUND = QColor("#fff4ce")  # the warning colour of ui.widgets.style
MEETING_COLUMNS = ("Anmälan", "Ärenden", "Anmälare", "Läge", "När")


def open_feedback_letter(ops: Operations, actor: Actor, task: FeedbackDue,
                         parent: QWidget) -> LetterDialog:
    """The återkoppling letter of `task`'s item, previewed as printed, ready to approve."""
    dialog = LetterDialog(ops, actor, task.item_id, parent=parent)
    dialog.kind.setCurrentIndex(dialog.kind.findData(LetterKind.ATERKOPPLING))
    dialog.open()
    return dialog


def _feedback_state(page: QWidget, task: FeedbackDue) -> str:
    if task.letter_waiting:
        return page.tr("Brev godkänt, inte skickat") + (page.tr(" – försenad") if task.overdue else "")
    return page.tr("Försenad") if task.overdue else ""


class BookMeetingDialog(QDialog):
    """When the booked anmälningsmöte takes place (local time)."""

    def __init__(self, now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Boka anmälningsmöte"))
        local = to_local(now)
        day = local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.when = QDateTimeEdit(QDateTime(datetime.combine(day, time(10, 0))), self)
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        form = QFormLayout()
        form.addRow(self.tr("Mötet äger rum:"), self.when)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Boka"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def meeting_at(self) -> datetime:
        return as_utc(self.when.dateTime().toPython().replace(tzinfo=STOCKHOLM))


def _table(columns: tuple[str, ...], parent: QWidget, name: str, stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels([parent.tr(c) for c in columns])
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for number, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(number, column, QTableWidgetItem(value))
    table.resizeColumnsToContents()


def _reporter(organisation: str | None, category: str | None) -> str:
    parts = [organisation or "", reporter_label(category) if category else ""]
    return " – ".join(p for p in parts if p)


class MeetingActions(QObject):
    """Recording a report's anmälningsmöte: offered, booked (with its time), held, declined."""

    def __init__(self, ops: Operations, actor: Actor, parent: QWidget) -> None:
        super().__init__(parent)
        self._ops, self._actor, self._parent = ops, actor, parent
        self.book_dialog: BookMeetingDialog | None = None

    def record(self, report_id: int, status: str, meeting_at: datetime | None = None) -> None:
        actor = self._actor
        self._ops.mutate(lambda session: record_meeting(session, actor, report_id, status=status,
                                                        meeting_at=meeting_at))

    def ask_booking(self, report_id: int) -> BookMeetingDialog:
        self.book_dialog = BookMeetingDialog(self._ops.clock(), self._parent)
        self.book_dialog.accepted.connect(
            lambda: self.record(report_id, "booked", self.book_dialog.meeting_at()))  # type: ignore[union-attr]
        self.book_dialog.open()
        return self.book_dialog


class FollowUpPage(QWidget):
    """The Uppföljning tab: what is owed to reporters and which meetings are under way.
    A double click opens the item (the first of the report's) in the detail pane."""

    sig_loaded = Signal()
    sig_open_item = Signal(int)

    def __init__(self, ops: Operations, actor: Actor, *, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor = ops, actor
        self.feedback: list[FeedbackDue] = []
        self.meetings: list[MeetingState] = []
        self.letter_dialog: LetterDialog | None = None
        self.meeting_actions = MeetingActions(ops, actor, self)

        self.feedback_table = _table(FEEDBACK_COLUMNS, self, "feedbackDue", 1)
        self.letter_button = QPushButton(self.tr("Återkopplingsbrev…"), self)
        self.letter_button.setToolTip(self.tr(
            "Öppnar återkopplingsbrevet till anmälaren. Godkänt hamnar det i utskriftskön; "
            "återkopplingen räknas som given när brevet markerats som skickat."))
        self.phone_button = QPushButton(self.tr("Given per telefon"), self)
        self.meeting_given_button = QPushButton(self.tr("Given vid möte"), self)
        self.letter_button.clicked.connect(self.open_letter)
        self.phone_button.clicked.connect(lambda: self.record_given("phone"))
        self.meeting_given_button.clicked.connect(lambda: self.record_given("meeting"))

        self.meeting_table = _table(MEETING_COLUMNS, self, "meetingsPending", 2)
        self.book_button = QPushButton(self.tr("Bokat…"), self)
        self.held_button = QPushButton(self.tr("Genomfört"), self)
        self.declined_button = QPushButton(self.tr("Avböjt"), self)
        self.book_button.clicked.connect(
            lambda: self._with_meeting(self.meeting_actions.ask_booking))
        self.held_button.clicked.connect(
            lambda: self._with_meeting(lambda r: self.meeting_actions.record(r, "held")))
        self.declined_button.clicked.connect(
            lambda: self._with_meeting(lambda r: self.meeting_actions.record(r, "declined")))

        self.feedback_summary = QLabel(self)
        explanation = QLabel(self.tr(
            "Anmälningsskyldiga anmälare som bett om återkoppling får besked om utredning inleddes, "
            "inte inleddes eller redan pågår – aldrig fler uppgifter. Tidsgränsen räknas från det "
            "signerade beslutet."), self)
        explanation.setWordWrap(True)
        meetings_explanation = QLabel(self.tr(
            "Anmälningsmöten som erbjudits eller bokats men ännu inte hållits. Ett möte erbjuds "
            "från ärendets detaljvy."), self)
        meetings_explanation.setWordWrap(True)

        feedback_buttons = QHBoxLayout()
        feedback_buttons.addWidget(self.feedback_summary, 1)
        for button in (self.letter_button, self.phone_button, self.meeting_given_button):
            feedback_buttons.addWidget(button)
        meeting_buttons = QHBoxLayout()
        meeting_buttons.addStretch(1)
        for button in (self.book_button, self.held_button, self.declined_button):
            meeting_buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading(self.tr("Återkoppling som väntar")))
        layout.addWidget(explanation)
        layout.addLayout(feedback_buttons)
        layout.addWidget(self.feedback_table, 3)
        layout.addWidget(self._heading(self.tr("Anmälningsmöten")))
        layout.addWidget(meetings_explanation)
        layout.addLayout(meeting_buttons)
        layout.addWidget(self.meeting_table, 2)
        self.feedback_table.itemSelectionChanged.connect(self._update_buttons)
        self.meeting_table.itemSelectionChanged.connect(self._update_buttons)
        self.feedback_table.cellDoubleClicked.connect(
            lambda row, _column: self.sig_open_item.emit(self.feedback[row].item_id))
        self.meeting_table.cellDoubleClicked.connect(self._open_meeting_item)
        for table in (self.feedback_table, self.meeting_table):
            table.setToolTip(self.tr("Dubbelklicka för att öppna ärendet."))
        # Read when the tab is shown, and again on a change only while it is in view: a
        # hidden tab only notes that it is out of date (no work for the database or the
        # GUI thread on every change made at the desk, nothing at the window's start).
        self._stale = True
        ops.sig_operation_executed.connect(lambda _changes, _initiator: self._changed())
        self._update_buttons()

    def _changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _open_meeting_item(self, row: int, _column: int) -> None:
        if self.meetings[row].item_ids:
            self.sig_open_item.emit(self.meetings[row].item_ids[0])

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text, self)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
        return label

    def refresh(self) -> None:
        self._stale = False
        actor, now = self._actor, self._ops.clock()
        self._ops.query(lambda session: (feedback_due(session, actor, now=now),
                                         meetings_pending(session, actor)),
                        success=self._loaded)

    def _loaded(self, result: tuple[list[FeedbackDue], list[MeetingState]]) -> None:
        self.feedback, self.meetings = result
        _fill(self.feedback_table, [
            (str(d.item_id), _reporter(d.reporter_organisation, d.reporter_category),
             d.as_json()["content_label"], format_date_sv(d.due_at), _feedback_state(self, d))
            for d in self.feedback])
        for row, task in enumerate(self.feedback):
            if task.overdue:
                for column in range(len(FEEDBACK_COLUMNS)):
                    self.feedback_table.item(row, column).setBackground(OVERDUE_BACKGROUND)
        overdue = sum(d.overdue for d in self.feedback)
        self.feedback_summary.setText(self.tr("{n} väntar, varav {late} försenade.").format(
            n=len(self.feedback), late=overdue))
        _fill(self.meeting_table, [
            (str(m.report_id), ", ".join(str(i) for i in m.item_ids), m.reporter_organisation or "",
             m.status_label, format_datetime_sv(m.meeting_at) if m.meeting_at else "")
            for m in self.meetings])
        self._update_buttons()
        self.sig_loaded.emit()

    def selected_task(self) -> FeedbackDue | None:
        rows = self.feedback_table.selectionModel().selectedRows()
        return self.feedback[rows[0].row()] if rows and rows[0].row() < len(self.feedback) else None

    def selected_meeting(self) -> MeetingState | None:
        rows = self.meeting_table.selectionModel().selectedRows()
        return self.meetings[rows[0].row()] if rows and rows[0].row() < len(self.meetings) else None

    def _update_buttons(self) -> None:
        task = self.selected_task() is not None
        for button in (self.letter_button, self.phone_button, self.meeting_given_button):
            button.setEnabled(task)
        meeting = self.selected_meeting() is not None
        for button in (self.book_button, self.held_button, self.declined_button):
            button.setEnabled(meeting)

    def open_letter(self) -> LetterDialog | None:
        task = self.selected_task()
        if task is None:
            return None
        self.letter_dialog = open_feedback_letter(self._ops, self._actor, task, self)
        return self.letter_dialog

    def record_given(self, method: str) -> None:
        task = self.selected_task()
        if task is not None:
            actor = self._actor
            self._ops.mutate(lambda session: record_feedback_given(session, actor, task.task_id,
                                                                   method=method))

    def _with_meeting(self, action: Callable[[int], Any]) -> None:
        meeting = self.selected_meeting()
        if meeting is not None:
            action(meeting.report_id)


class ReportFollowUpSection(QObject):
    """The detail pane's Uppföljning section: the report's anmälningsmöte and the item's
    återkoppling, each a click away from being recorded."""

    sig_loaded = Signal(int)  # item id

    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window, self._ops, self._actor = window, window.ops, window.actor
        self._pane = window.detail
        self.item_id: int | None = None
        self.meeting: MeetingState | None = None
        self.feedback: list[FeedbackDue] = []
        self.observation_missing: bool | None = None
        self.section: QWidget | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.letter_dialog: LetterDialog | None = None
        self.meeting_actions = MeetingActions(self._ops, self._actor, window)
        self._pane.section_builders.append(self.build)
        self._pane.sig_loaded.connect(self.load)
        self._ops.sig_operation_executed.connect(self._on_changes)

    def load(self, item_id: int) -> None:
        actor, now = self._actor, self._ops.clock()
        report_id = self._report_id()

        def read(session):  # type: ignore[no-untyped-def]
            if report_id is None:
                return None, feedback_due(session, actor, now=now, item_id=item_id), None
            return (report_meeting(session, actor, report_id),
                    feedback_due(session, actor, now=now, item_id=item_id),
                    observation_judged(session, actor, report_id))

        self._ops.query(read, success=lambda result: self._loaded(item_id, result))

    def _report_id(self) -> int | None:
        detail = getattr(self._pane, "detail", None)
        return detail.row.report_id if isinstance(detail, ItemDetail) else None

    def _loaded(self, item_id: int,
                result: tuple[MeetingState | None, list[FeedbackDue], bool | None]) -> None:
        if item_id != self._pane.item_id:
            return  # the worker has moved on to another item
        self.item_id = item_id
        self.meeting, self.feedback, self.observation_missing = result
        self._pane.refresh_times()
        self.sig_loaded.emit(item_id)

    def _on_changes(self, changes: Changes, _initiator: object = None) -> None:
        # A change naming the shown item reopens it (and so reloads via sig_loaded).
        item_id = self._pane.item_id
        if item_id is None or item_id in changes.item_ids:
            return
        if changes.item_ids or changes.letters or changes.decisions:
            self.load(item_id)

    def build(self, detail: ItemDetail) -> QWidget | None:
        if detail.row.id != self.item_id:
            self.section = None
            return None
        report_id = detail.row.report_id
        section = QWidget()
        section.setObjectName("reportFollowUp")
        layout = QVBoxLayout(section)
        layout.setContentsMargins(0, 8, 0, 0)
        heading = QLabel(self.tr("Uppföljning"))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.buttons = {}
        for task in self.feedback:
            row = QHBoxLayout()
            text = self.tr("Återkoppling till anmälaren senast {date}: {content}").format(
                date=format_date_sv(task.due_at), content=task.as_json()["content_label"].lower())
            label = QLabel(text)
            label.setWordWrap(True)
            if task.letter_waiting:
                label.setText(text + " – " + self.tr("brevet är godkänt och stängs när det skickats"))
            if task.overdue:
                label.setStyleSheet(WARNING_BOX)
            row.addWidget(label, 1)
            for key, caption, slot in (
                ("letter", self.tr("Brev…"), lambda _=False, t=task: self.open_letter(t)),
                ("phone", self.tr("Per telefon"), lambda _=False, t=task: self.record_given(t, "phone")),
                ("meeting", self.tr("Vid möte"), lambda _=False, t=task: self.record_given(t, "meeting")),
            ):
                button = QPushButton(caption)
                button.clicked.connect(slot)
                self.buttons[f"feedback_{key}"] = button
                row.addWidget(button)
            layout.addLayout(row)
        meeting_row = QHBoxLayout()
        if self.meeting is None:
            state = self.tr("Anmälningsmöte: inget erbjudet ännu.")
        else:
            state = self.tr("Anmälningsmöte: {status}").format(status=self.meeting.status_label.lower())
            if self.meeting.meeting_at is not None:
                state += " " + format_datetime_sv(self.meeting.meeting_at)
        self.meeting_label = QLabel(state)
        self.meeting_label.setObjectName("meetingState")
        meeting_row.addWidget(self.meeting_label, 1)
        for status, caption in (("offered", self.tr("Erbjudet")), ("booked", self.tr("Bokat…")),
                                ("held", self.tr("Genomfört")), ("declined", self.tr("Avböjt"))):
            button = QPushButton(caption)
            if status == "booked":
                button.clicked.connect(lambda _=False: self.meeting_actions.ask_booking(report_id))
            else:
                button.clicked.connect(
                    lambda _=False, s=status: self.meeting_actions.record(report_id, s))
            self.buttons[f"meeting_{status}"] = button
            meeting_row.addWidget(button)
        layout.addLayout(meeting_row)
        layout.addLayout(self._observation_row(report_id))
        self.section = section
        return section

    def _observation_row(self, report_id: int) -> QHBoxLayout:
        """Only a reader can tell whether the report says what was observed and when: the
        report's completeness, counted per reporting organisation."""
        row = QHBoxLayout()
        judged = {None: self.tr("inte bedömt"), False: self.tr("ja"), True: self.tr("nej, det saknas")}
        self.observation_label = QLabel(self.tr("Framgår vad som iakttagits och när? {answer}").format(
            answer=judged[self.observation_missing]))
        self.observation_label.setObjectName("observationJudged")
        row.addWidget(self.observation_label, 1)
        actor = self._actor
        for key, caption, missing in (("observation_yes", self.tr("Ja"), False),
                                      ("observation_no", self.tr("Nej, saknas"), True)):
            button = QPushButton(caption)
            button.clicked.connect(lambda _=False, m=missing: self._ops.mutate(
                lambda session: record_observation(session, actor, report_id, missing=m)))
            self.buttons[key] = button
            row.addWidget(button)
        return row

    def open_letter(self, task: FeedbackDue) -> LetterDialog:
        self.letter_dialog = open_feedback_letter(self._ops, self._actor, task, self._window)
        return self.letter_dialog

    def record_given(self, task: FeedbackDue, method: str) -> None:
        actor = self._actor
        self._ops.mutate(lambda session: record_feedback_given(session, actor, task.task_id,
                                                               method=method))
