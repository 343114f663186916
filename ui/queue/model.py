"""The queue as a chunked table model over the paged `list_queue` service.

The model holds the ids and urgency keys of the rows loaded so far plus a bounded row cache;
`fetchMore` loads the next keyset page off the GUI thread and the order is always the
service's urgency order (sorting in the model would sort only what happens to be loaded).
A refresh re-reads only the changed items and moves, inserts or removes their rows, so the
view keeps its selection and scroll position.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from mottagning.assessment.service import STATUS_LABELS
from mottagning.context import Actor
from mottagning.i18n import ngettext
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE, DRAFT
from mottagning.queue.keyset import QueueCursor
from mottagning.queue.listing import (
    ItemsRefresh,
    QueuePage,
    QueueRow,
    changed_since,
    count_queue,
    list_queue,
    reread_items,
)
from mottagning.rules import deadlines
from mottagning.rules.codes import concern_label, reporter_label
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.status import DECIDED_STATUSES, Status, label
from mottagning.rules.urgency import DEFAULT_PROTECTION_SOON_HOURS
from mottagning.terminal import one_line
from mottagning.timeutil import format_datetime_sv, format_duration_sv, to_local, utc_now
from ui.operations import Operations
from ui.widgets.flag_texts import flags_explanation
from ui.widgets.style import URGENCY_COLOURS

CHUNK = 200
ROW_CACHE = 2_000  # rows kept in memory; ids and keys of every loaded row are kept (small)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the QueueRow of a row
FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # the flag codes, for the chip delegate

ModelIndex = QModelIndex | QPersistentModelIndex
UrgencyKey = tuple[int, datetime, int]


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


class QueueModel(QAbstractTableModel):
    """The queue, loaded a keyset page at a time (`canFetchMore`/`fetchMore`).

    The model keeps the ids and urgency keys of the rows loaded so far (small) and the rows
    themselves in a bounded cache; a row pushed out of the cache is read again when it is
    shown. Refreshing re-reads only what changed (`refresh`, `refresh_items`) and moves,
    inserts or removes just those rows, so the view keeps its selection and scroll position.
    """

    sig_loaded = Signal()  # after the first listing, each refresh and each chunk

    def __init__(self, ops: Operations, actor: Actor, *,
                 clock: Callable[[], datetime] = utc_now, parent: Any = None):
        super().__init__(parent)
        self._ops = ops
        self._actor = actor
        self._clock = clock
        self._ids: list[int] = []
        self._keys: list[UrgencyKey] = []  # parallel to _ids, ascending, at the moment _now
        self._child_of: dict[int, int] = {}
        self._rows: OrderedDict[int, QueueRow] = OrderedDict()  # least recently used first
        self._wanted: set[int] = set()  # rows shown but no longer cached: being read again
        self._now = clock()
        self._soon = timedelta(hours=DEFAULT_PROTECTION_SOON_HOURS)
        self._cursor: QueueCursor | None = None
        self._marker: datetime | None = None
        self._total = 0
        self._loaded_once = False
        self._busy = False
        self._refresh_wanted = False
        self._reload_wanted = False
        self.assigned_to_id: int | None = None
        """"Mina ärenden": only this user's items (None: everybody's)."""
        self._init_texts()

    def _init_texts(self) -> None:
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
        """Rows in the whole queue (loaded or not)."""
        return self._total

    @property
    def loaded_once(self) -> bool:
        return self._loaded_once

    def refresh(self) -> None:
        """Bring the loaded rows up to date: the first page on the first call, afterwards
        only the items changed since the last refresh or moved by the clock."""
        if self._busy:
            self._refresh_wanted = True
            return
        self._busy = True
        actor, now, mine = self._actor, self._clock(), self.assigned_to_id
        if not self._loaded_once:  # the listing is audited once per session, on the first page
            self._reload(audit_read=True)
            return
        since_updated, since_now = self._marker, self._now

        def changes(session: Session) -> tuple[datetime | None, ItemsRefresh | QueuePage, int]:
            ids, marker = changed_since(session, actor, since_updated=since_updated,
                                        since_now=since_now, now=now)
            if ids is None:  # too much changed: start again from the first page
                return marker, list_queue(session, actor, limit=CHUNK, now=now,
                                          audit_read=False, group_mass_reports=True,
                                          assigned_to_id=mine), 0
            found = reread_items(session, actor, ids, now=now, group_mass_reports=True,
                                 assigned_to_id=mine)
            total = count_queue(session, actor, now=now, group_mass_reports=True,
                                assigned_to_id=mine) if ids else -1
            return marker, found, total

        self._ops.query(changes, success=self._apply_changes, failure=self._failed)

    def refresh_items(self, item_ids: Iterable[int]) -> None:
        """Re-read just these items (and their mass-report groups) and update, insert or
        remove their rows in place, keeping the selection and the scroll position."""
        ids = sorted(set(item_ids))
        if not ids:
            return
        actor, now, mine = self._actor, self._now, self.assigned_to_id
        self._ops.query(
            lambda session: reread_items(session, actor, ids, now=now, group_mass_reports=True,
                                         assigned_to_id=mine),
            success=lambda found: self._apply_items(found, ids), failure=self._failed)

    def set_assigned_filter(self, user_id: int | None) -> None:
        """Show only `user_id`'s items (None: everybody's): the first page is read again."""
        if user_id == self.assigned_to_id:
            return
        self.assigned_to_id = user_id
        if not self._loaded_once:
            return  # the first listing, under way or to come, reads the filter
        if self._busy:
            self._reload_wanted = True
            return
        self._reload()

    def _reload(self, *, audit_read: bool = False) -> None:
        """The first page again, replacing the loaded rows."""
        self._busy = True
        actor, now, mine = self._actor, self._clock(), self.assigned_to_id

        def first(session: Session) -> tuple[QueuePage, datetime | None]:
            page = list_queue(session, actor, limit=CHUNK, now=now, audit_read=audit_read,
                              group_mass_reports=True, assigned_to_id=mine)
            return page, changed_since(session, actor, since_updated=None, since_now=now,
                                       now=now)[1]

        self._ops.query(first, success=self._apply_first, failure=self._failed)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt override
        if parent.isValid() or self._busy or not self._loaded_once:
            return False
        return self._cursor is not None

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008 - Qt override
        if not self.canFetchMore(parent):
            return
        self._busy = True
        actor, cursor, mine = self._actor, self._cursor, self.assigned_to_id
        self._ops.query(
            lambda session: list_queue(session, actor, after=cursor, limit=CHUNK,
                                       audit_read=False, group_mass_reports=True,
                                       assigned_to_id=mine),
            success=self._append, failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self._ops.errors.show_error(error)

    def _finish(self) -> None:
        self._busy = False
        self._loaded_once = True
        self.sig_loaded.emit()
        if self._reload_wanted:
            self._reload_wanted = self._refresh_wanted = False
            self._reload()
        elif self._refresh_wanted:
            self._refresh_wanted = False
            self.refresh()

    def _apply_first(self, result: tuple[QueuePage, datetime | None]) -> None:
        page, self._marker = result
        self._replace(page)
        self._finish()

    def _replace(self, page: QueuePage) -> None:
        self.beginResetModel()
        self._ids, self._keys, self._child_of = [], [], {}
        self._rows.clear()
        self._soon = page.protection_soon
        self._now = page.now or self._clock()
        self._total = page.total or 0
        for row in page.rows:
            self._ids.append(row.id)
            self._keys.append(row.urgency_key(self._now, self._soon))
            self._remember(row)
        self._cursor = page.next_cursor
        self.endResetModel()

    def _append(self, page: QueuePage) -> None:
        fresh = [r for r in page.rows if r.id not in self._child_of]
        if fresh:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for row in fresh:
                self._ids.append(row.id)
                self._keys.append(row.urgency_key(self._now, self._soon))
                self._remember(row)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._finish()

    def _apply_changes(self, result: tuple[datetime | None, ItemsRefresh | QueuePage, int]) -> None:
        self._marker, found, total = result
        if isinstance(found, QueuePage):
            self._replace(found)
        else:
            self._now = found.now
            self._apply_items(found, ())
            if total >= 0:
                self._total = total
        self._finish()

    def _apply_items(self, found: ItemsRefresh, asked: Iterable[int]) -> None:
        """Rows of the re-read children take their new place; rows no longer listed go."""
        visible = {row.id: row for row in found.rows}
        gone = {i for i, child in self._child_of.items() if child in found.child_ids} | set(asked)
        for item_id in sorted(gone - set(visible), key=self._position, reverse=True):
            position = self._position(item_id)
            if position >= 0:
                self.beginRemoveRows(QModelIndex(), position, position)
                self._forget(position)
                self.endRemoveRows()
        for row in found.rows:
            self._place(row, row.urgency_key(found.now, found.protection_soon))
        self._wanted.difference_update(visible)
        if self._ids and self._cursor is not None:
            # the next page continues after the last loaded row, at the keys' moment
            tier, due, item_id = self._keys[-1]
            self._cursor = QueueCursor(now=self._now, tier=tier, next_due=due, item_id=item_id)

    def _place(self, row: QueueRow, key: UrgencyKey) -> None:
        position = self._position(row.id)
        beyond = self._cursor is not None and (not self._keys or key > self._keys[-1])
        if position < 0:
            if beyond:
                return  # comes with a later page
            target = bisect.bisect_left(self._keys, key)
            self.beginInsertRows(QModelIndex(), target, target)
            self._ids.insert(target, row.id)
            self._keys.insert(target, key)
            self._remember(row)
            self.endInsertRows()
            return
        self._remember(row)
        if key == self._keys[position]:
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))
            return
        if beyond:
            self.beginRemoveRows(QModelIndex(), position, position)
            self._forget(position)
            self.endRemoveRows()
            return
        others = self._keys[:position] + self._keys[position + 1:]
        target = bisect.bisect_left(others, key)  # its place among the other rows
        moves = target != position
        if moves:  # Qt counts the destination before the row is taken out
            destination = target + 1 if target > position else target
            self.beginMoveRows(QModelIndex(), position, position, QModelIndex(), destination)
        del self._keys[position], self._ids[position]
        self._keys.insert(target, key)
        self._ids.insert(target, row.id)
        if moves:
            self.endMoveRows()
        self.dataChanged.emit(self.index(target, 0), self.index(target, len(Column) - 1))

    def _position(self, item_id: int) -> int:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return -1

    def _remember(self, row: QueueRow) -> None:
        self._rows[row.id] = row
        self._rows.move_to_end(row.id)
        self._child_of[row.id] = row.child_id
        while len(self._rows) > ROW_CACHE:
            self._rows.popitem(last=False)

    def _forget(self, position: int) -> None:
        item_id = self._ids.pop(position)
        del self._keys[position]
        self._rows.pop(item_id, None)
        self._child_of.pop(item_id, None)

    def _cached(self, item_id: int) -> QueueRow | None:
        row = self._rows.get(item_id)
        if row is not None:
            self._rows.move_to_end(item_id)
            return row
        if not self._wanted:
            QTimer.singleShot(0, self._read_wanted)
        self._wanted.add(item_id)
        return None

    def _read_wanted(self) -> None:
        if self._wanted:
            self.refresh_items(self._wanted)

    # -- access ------------------------------------------------------------------

    def row_at(self, row: int) -> QueueRow | None:
        if 0 <= row < len(self._ids):
            return self._cached(self._ids[row])
        return None

    def loaded_items_of_children(self, child_ids: Iterable[int]) -> list[int]:
        """The loaded rows' items about these children (without reading any row)."""
        children = set(child_ids)
        return [item for item, child in self._child_of.items() if child in children]

    def row_of(self, item_id: int) -> int | None:
        position = self._position(item_id)
        return None if position < 0 else position

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

