"""The queue as a chunked table model over the paged `list_queue` service.

The model holds the ids of the rows loaded so far plus a row cache; `fetchMore` loads the
next chunk off the GUI thread and the order is always the service's urgency order (sorting
in the model would sort only what happens to be loaded). A refresh reloads the loaded
window and applies the difference as removals, a re-layout and insertions, so the view
keeps its selection and scroll position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from mottagning.assessment.service import STATUS_LABELS
from mottagning.context import Actor
from mottagning.i18n import ngettext
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE, DRAFT
from mottagning.queue.listing import QueuePage, QueueRow, list_queue
from mottagning.rules import deadlines
from mottagning.rules.codes import concern_label, reporter_label
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.status import DECIDED_STATUSES, Status, label
from mottagning.terminal import one_line
from mottagning.timeutil import format_datetime_sv, format_duration_sv, to_local, utc_now
from ui.operations import Operations
from ui.widgets.flag_texts import flags_explanation
from ui.widgets.style import URGENCY_COLOURS

CHUNK = 200
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the QueueRow of a row
FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # the flag codes, for the chip delegate

ModelIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    URGENCY = 0
    CHILD = 1
    AGE = 2
    RECEIVED = 3
    PROTECTION_LEFT = 4
    DECISION_LEFT = 5
    # flags, status and assignee before the long texts, so they stay visible in a narrow table
    FLAGS = 6
    STATUS = 7
    ASSIGNED = 8
    CONCERNS = 9
    REPORTER = 10


def age_text(birth: date | None, today: date) -> str:
    if birth is None:
        return "–"
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if years >= 1:
        return f"{years} år"
    months = (today.year - birth.year) * 12 + today.month - birth.month - (today.day < birth.day)
    return f"{max(months, 0)} mån"


SHORT_MONTHS_SV = ("jan.", "feb.", "mars", "apr.", "maj", "juni",
                   "juli", "aug.", "sep.", "okt.", "nov.", "dec.")


def short_datetime_sv(moment: datetime, now: datetime) -> str:
    """'23 nov. kl. 22.55' (the year only when it is not this year): the table is narrow,
    the detail pane and the tooltip give the full date."""
    local, today = to_local(moment), to_local(now)
    year = f" {local.year}" if local.year != today.year else ""
    return f"{local.day} {SHORT_MONTHS_SV[local.month - 1]}{year} kl. {local:%H.%M}"


def time_left_text(seconds: float) -> str:
    if seconds < 0:
        return f"försenad {format_duration_sv(-seconds)}"
    return format_duration_sv(seconds)


# What a received item's status column says while its skyddsbedömning is under way.
ASSESSMENT_STATUS_LABELS = {k: STATUS_LABELS[k] for k in (DRAFT, AWAITING_SECOND_SIGNATURE)}


def row_urgency(row: QueueRow, now: datetime) -> str:
    """'danger', 'overdue', 'soon' or 'ok' for the urgency column."""
    if row.status in DECIDED_STATUSES:
        return "ok"
    if "immediate_danger" in row.flags and row.status == Status.RECEIVED:
        return "danger"
    return deadlines.urgency(deadlines.seconds_left(row.next_due, now))


def _order_key(row: QueueRow) -> tuple[object, ...]:
    """What places a row in the urgency order (a change of it moves the row)."""
    return (row.status, row.next_due, "immediate_danger" in row.flags)


class QueueModel(QAbstractTableModel):
    sig_loaded = Signal()  # after the first listing, each refresh and each chunk

    def __init__(self, ops: Operations, actor: Actor, *,
                 clock: Callable[[], datetime] = utc_now, parent: Any = None):
        super().__init__(parent)
        self._ops = ops
        self._actor = actor
        self._clock = clock
        self._ids: list[int] = []
        self._rows: dict[int, QueueRow] = {}
        self._total = 0
        self._audited = False
        self._loaded_once = False
        self._busy = False
        self._refresh_wanted = False
        self.assigned_to_id: int | None = None
        """"Mina ärenden": only this user's items (None: everybody's)."""
        self._headers = {
            Column.URGENCY: self.tr("Brådska"), Column.CHILD: self.tr("Barn"),
            Column.AGE: self.tr("Ålder"), Column.RECEIVED: self.tr("Inkom"),
            Column.PROTECTION_LEFT: self.tr("Tid kvar skydd"),
            Column.DECISION_LEFT: self.tr("Tid kvar beslut"), Column.FLAGS: self.tr("Flaggor"),
            Column.STATUS: self.tr("Status"), Column.ASSIGNED: self.tr("Handläggare"),
            Column.CONCERNS: self.tr("Oro"), Column.REPORTER: self.tr("Anmälare"),
        }
        self._urgency_labels = {
            "danger": self.tr("Akut"), "overdue": self.tr("Försenad"),
            "soon": self.tr("Snart"), "ok": "",
        }
        self.flag_labels = {
            "immediate_danger": self.tr("Akut fara"), "violence": self.tr("Våld"),
            "repeat": self.tr("Upprepad"), "data_quality": self.tr("Datakvalitet"),
        }

    # -- loading -----------------------------------------------------------------

    @property
    def total(self) -> int:
        """Open items in the queue (loaded or not)."""
        return self._total

    @property
    def loaded_once(self) -> bool:
        return self._loaded_once

    def _list(self, offset: int, limit: int) -> Callable[[Session], QueuePage]:
        audit_read = not self._audited  # the listing is audited once per session
        actor, now = self._actor, self._clock()
        self._audited = True
        # A burst of reports about one child is one row with a count (mass reports).
        assigned_to_id = self.assigned_to_id
        return lambda session: list_queue(session, actor, offset=offset, limit=limit, now=now,
                                          audit_read=audit_read, group_mass_reports=True,
                                          assigned_to_id=assigned_to_id)

    def set_assigned_filter(self, user_id: int | None) -> None:
        """Show only `user_id`'s items (None: all); reloads."""
        if user_id != self.assigned_to_id:
            self.assigned_to_id = user_id
            self.refresh()

    def refresh_items(self, item_ids: Iterable[int]) -> None:
        """Reload only the rows of `item_ids` (changed at another desk).

        A loaded row whose place in the order stays is replaced in place; one that left the
        queue (or the filter) is removed. A change that moves a row or adds one falls back
        to `refresh()`, which also keeps selection and scroll position."""
        wanted = tuple(dict.fromkeys(item_ids))
        if not wanted:
            return
        actor, now, assigned_to_id = self._actor, self._clock(), self.assigned_to_id
        self._ops.query(
            lambda session: list_queue(session, actor, limit=len(wanted), now=now,
                                       audit_read=False, item_ids=wanted,
                                       assigned_to_id=assigned_to_id),
            success=lambda page: self._apply_items(wanted, page), failure=self._failed_items)

    def _apply_items(self, wanted: tuple[int, ...], page: QueuePage) -> None:
        fresh = {row.id: row for row in page.rows}
        if any(i not in self._rows for i in fresh) or any(
                _order_key(self._rows[i]) != _order_key(row) for i, row in fresh.items()):
            self.refresh()
            return
        for item_id in wanted:
            position = self.row_of(item_id)
            if position is None:
                continue
            if item_id not in fresh:  # decided and handed over, or no longer "mine"
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[self._ids.pop(position)]
                self.endRemoveRows()
                self._total = max(self._total - 1, 0)
                continue
            self._rows[item_id] = replace(fresh[item_id], group_size=self._rows[item_id].group_size)
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))
        self.sig_loaded.emit()

    def _failed_items(self, error: BaseException) -> None:
        self._ops.errors.show_error(error)

    def refresh(self) -> None:
        """Reload the loaded rows (at least one chunk) without resetting the view."""
        if self._busy:
            self._refresh_wanted = True
            return
        self._busy = True
        limit = max(CHUNK, len(self._ids))
        self._ops.query(self._list(0, limit), success=self._apply_refresh,
                        failure=self._failed)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt override
        if parent.isValid() or self._busy or not self._loaded_once:
            return False
        return len(self._ids) < self._total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008 - Qt override
        if not self.canFetchMore(parent):
            return
        self._busy = True
        self._ops.query(self._list(len(self._ids), CHUNK), success=self._append,
                        failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self._audited = self._loaded_once  # a failed first listing is audited when it succeeds
        self._ops.errors.show_error(error)

    def _finish(self) -> None:
        self._busy = False
        self._loaded_once = True
        self.sig_loaded.emit()
        if self._refresh_wanted:
            self._refresh_wanted = False
            self.refresh()

    def _append(self, page: QueuePage) -> None:
        self._total = page.total
        fresh = [r for r in page.rows if r.id not in self._rows]
        if fresh:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for row in fresh:
                self._ids.append(row.id)
                self._rows[row.id] = row
            self.endInsertRows()
        self._finish()

    def _apply_refresh(self, page: QueuePage) -> None:
        self._total = page.total
        new_ids = [r.id for r in page.rows]
        wanted = set(new_ids)
        for position in range(len(self._ids) - 1, -1, -1):
            if self._ids[position] not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[self._ids.pop(position)]
                self.endRemoveRows()
        self._rows.update((r.id, r) for r in page.rows if r.id in self._rows)
        self._reorder([i for i in new_ids if i in self._rows])
        for position, row in enumerate(page.rows):
            if row.id not in self._rows:
                self.beginInsertRows(QModelIndex(), position, position)
                self._ids.insert(position, row.id)
                self._rows[row.id] = row
                self.endInsertRows()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(Column) - 1))
        self._finish()

    def _reorder(self, order: list[int]) -> None:
        if order == self._ids:
            return
        self.layoutAboutToBeChanged.emit()
        position_of = {item_id: n for n, item_id in enumerate(order)}
        old = self.persistentIndexList()
        new = [self.index(position_of[self._ids[i.row()]], i.column()) for i in old]
        self._ids = order
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # -- access ------------------------------------------------------------------

    def row_at(self, row: int) -> QueueRow | None:
        if 0 <= row < len(self._ids):
            return self._rows[self._ids[row]]
        return None

    def row_of(self, item_id: int) -> int | None:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return None

    # -- Qt overrides ------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[Column(section)]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            # Case data may hold control characters (a forged name): one plain line per cell.
            return one_line(self._display(row, column, self._clock()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return self._colour(row, column, self._clock(), role)
        if role == ROW_ROLE:
            return row
        if role == FLAGS_ROLE and column is Column.FLAGS:
            return row.flags
        return None

    def _display(self, row: QueueRow, column: Column, now: datetime) -> str:
        if column is Column.URGENCY:
            return self._urgency_labels[row_urgency(row, now)]
        if column is Column.CHILD:
            if row.group_size > 1:
                return ngettext(self.tr("{name}  ({n} öppet ärende)"),
                                self.tr("{name}  ({n} öppna ärenden)"),
                                row.group_size).format(name=row.child_name, n=row.group_size)
            return row.child_name
        if column is Column.AGE:
            return age_text(row.birth_date, to_local(now).date())
        if column is Column.RECEIVED:
            return short_datetime_sv(row.received_at, now)
        if column is Column.PROTECTION_LEFT:
            if row.status != Status.RECEIVED:
                return self.tr("klar")
            return time_left_text(deadlines.seconds_left(row.protection_due, now))
        if column is Column.DECISION_LEFT:
            if row.status in DECIDED_STATUSES:
                return self.tr("beslutad")
            due = applicable_decision_due(row.decision_due, row.decision_due_extended)
            return time_left_text(deadlines.seconds_left(due, now))
        if column is Column.CONCERNS:
            return ", ".join(concern_label(c) for c in row.concern_codes)
        if column is Column.REPORTER:
            return reporter_label(row.reporter_category)
        if column is Column.FLAGS:
            return ", ".join(self.flag_labels.get(f, f) for f in row.flags)
        if column is Column.STATUS:
            if row.status == Status.RECEIVED and row.assessment_status in ASSESSMENT_STATUS_LABELS:
                return ASSESSMENT_STATUS_LABELS[row.assessment_status]
            return label(row.status)
        return row.assigned_to or self.tr("Ej tilldelad")

    def _tooltip(self, row: QueueRow, column: Column) -> str | None:
        if column is Column.RECEIVED:
            return format_datetime_sv(row.received_at)
        if column is Column.PROTECTION_LEFT:
            return self.tr("Skyddsbedömning senast {due}").format(
                due=format_datetime_sv(row.protection_due))
        if column is Column.DECISION_LEFT:
            due = applicable_decision_due(row.decision_due, row.decision_due_extended)
            note = self.tr(" (förlängd)") if row.decision_due_extended else ""
            return self.tr("Beslut senast {due}{note}").format(due=format_datetime_sv(due), note=note)
        if column is Column.FLAGS:
            return flags_explanation(row.flags, concern_codes=row.concern_codes,
                                     data_quality_warnings=row.data_quality_warnings)
        # names, statuses and the rest may be cut off in a narrow column: the whole text
        text = self._display(row, column, self._clock())
        if column is Column.CHILD and row.protected_identity:
            return text + "\n" + self.tr("Skyddad identitet – adressen visas inte")
        return text or None

    def _colour(self, row: QueueRow, column: Column, now: datetime, role: int) -> QBrush | None:
        level: str | None = None
        if column is Column.URGENCY:
            level = row_urgency(row, now)
        elif column is Column.PROTECTION_LEFT and row.status == Status.RECEIVED:
            level = deadlines.urgency(deadlines.seconds_left(row.protection_due, now))
        elif column is Column.DECISION_LEFT and row.status not in DECIDED_STATUSES:
            due = applicable_decision_due(row.decision_due, row.decision_due_extended)
            level = deadlines.urgency(deadlines.seconds_left(due, now))
        if level is None or level == "ok":
            return None
        background, foreground = URGENCY_COLOURS[level]
        colour = background if role == Qt.ItemDataRole.BackgroundRole else foreground
        return QBrush(QColor(colour))

