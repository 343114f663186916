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
from datetime import datetime, timedelta
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

from mottagning.context import Actor
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
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.urgency import DEFAULT_PROTECTION_SOON_HOURS
from mottagning.timeutil import format_datetime_sv, utc_now
from ui.operations import Operations
from ui.queue.row_texts import (  # noqa: F401 - re-exported: the detail pane and forms use them
    ASSESSMENT_STATUS_LABELS,
    COLUMNS,
    Column,
    Labels,
    Prepared,
    RowFormatter,
    RowTexts,
    UrgencyKey,
    age_text,
    row_urgency,
    short_datetime_sv,
    time_left_text,
)
from ui.widgets.flag_texts import flags_explanation
from ui.widgets.style import URGENCY_COLOURS

CHUNK = 200
ROW_CACHE = 2_000  # rows kept in memory; ids and keys of every loaded row are kept (small)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the QueueRow of a row
FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # the flag codes, for the chip delegate

# data() is called for every role of every visible cell on each paint: plain ints compare fast
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROW = int(ROW_ROLE)
_FLAGS = int(FLAGS_ROLE)
_FLAGS_COLUMN = int(Column.FLAGS)

ModelIndex = QModelIndex | QPersistentModelIndex


class QueueModel(QAbstractTableModel):
    """The queue, loaded a keyset page at a time (`canFetchMore`/`fetchMore`).

    The model keeps the ids and urgency keys of the rows loaded so far (small) and the rows
    themselves in a bounded cache; a row pushed out of the cache is read again when it is
    shown. Refreshing re-reads only what changed (`refresh`, `refresh_items`) and moves,
    inserts or removes just those rows, so the view keeps its selection and scroll position.

    Every read runs on the database worker (`Operations.query`), which also makes each row's
    texts (`row_texts.RowFormatter`); the GUI thread only inserts the rows when they arrive,
    and `data()` is a lookup in those texts.
    """

    sig_loaded = Signal()  # after the first listing, each refresh and each chunk
    sig_total = Signal(int)  # the whole queue's count, counted after the first page shows

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
        self._texts: dict[int, RowTexts] = {}  # the cached rows' texts
        self._wanted: set[int] = set()  # rows shown but no longer cached: being read again
        self._now = clock()
        self._soon = timedelta(hours=DEFAULT_PROTECTION_SOON_HOURS)
        self._cursor: QueueCursor | None = None
        self._marker: datetime | None = None
        self._total = 0
        self._listing_number = 0  # which first page the rows came from (a late count is dropped)
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
        self.flag_labels = {
            "immediate_danger": self.tr("Akut fara"), "violence": self.tr("Våld"),
            "repeat": self.tr("Upprepad"), "data_quality": self.tr("Datakvalitet"),
        }
        self._formatter = RowFormatter(Labels(
            urgency={"danger": self.tr("Akut"), "overdue": self.tr("Försenad"),
                     "soon": self.tr("Snart"), "ok": ""},
            flags=dict(self.flag_labels), done=self.tr("klar"), decided=self.tr("beslutad"),
            unassigned=self.tr("Ej tilldelad"), group_one=self.tr("{name}  ({n} öppet ärende)"),
            group_many=self.tr("{name}  ({n} öppna ärenden)"),
        ))
        # one brush per level and role, made once (data() hands out these)
        self._brushes = {
            (level, role): QBrush(QColor(colours[0] if role == _BACKGROUND else colours[1]))
            for level, colours in URGENCY_COLOURS.items() for role in (_BACKGROUND, _FOREGROUND)
        }

    # -- loading -----------------------------------------------------------------

    @property
    def total(self) -> int:
        """Rows in the whole queue (loaded or not)."""
        return self._total

    @property
    def loaded_once(self) -> bool:
        return self._loaded_once

    def _prepare(self, rows: Iterable[QueueRow], now: datetime | None,
                 soon: timedelta) -> tuple[Prepared, ...]:
        """On the worker: the rows with their keys and texts (the GUI thread only inserts)."""
        moment = now or self._clock()
        return self._formatter.prepare(rows, moment, soon, self._clock())

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
        prepare = self._prepare

        def changes(session: Session) -> tuple[datetime | None, ItemsRefresh | QueuePage, int,
                                               tuple[Prepared, ...]]:
            ids, marker = changed_since(session, actor, since_updated=since_updated,
                                        since_now=since_now, now=now)
            if ids is None:  # too much changed: start again from the first page
                page = list_queue(session, actor, limit=CHUNK, now=now, audit_read=False,
                                  group_mass_reports=True, assigned_to_id=mine)
                return marker, page, 0, prepare(page.rows, page.now, page.protection_soon)
            found = reread_items(session, actor, ids, now=now, group_mass_reports=True,
                                 assigned_to_id=mine)
            total = count_queue(session, actor, now=now, group_mass_reports=True,
                                assigned_to_id=mine) if ids else -1
            return marker, found, total, prepare(found.rows, found.now, found.protection_soon)

        self._ops.query(changes, success=self._apply_changes, failure=self._failed)

    def refresh_items(self, item_ids: Iterable[int]) -> None:
        """Re-read just these items (and their mass-report groups) and update, insert or
        remove their rows in place, keeping the selection and the scroll position."""
        ids = sorted(set(item_ids))
        if not ids:
            return
        actor, now, mine, prepare = self._actor, self._now, self.assigned_to_id, self._prepare

        def reread(session: Session) -> tuple[ItemsRefresh, tuple[Prepared, ...]]:
            found = reread_items(session, actor, ids, now=now, group_mass_reports=True,
                                 assigned_to_id=mine)
            return found, prepare(found.rows, found.now, found.protection_soon)

        self._ops.query(reread, success=lambda result: self._apply_items(*result, ids),
                        failure=self._failed)

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
        actor, now, mine, prepare = self._actor, self._clock(), self.assigned_to_id, self._prepare

        def first(session: Session) -> tuple[QueuePage, datetime | None, tuple[Prepared, ...]]:
            page = list_queue(session, actor, limit=CHUNK, now=now, audit_read=audit_read,
                              group_mass_reports=True, assigned_to_id=mine)
            marker = changed_since(session, actor, since_updated=None, since_now=now, now=now)[1]
            return page, marker, prepare(page.rows, page.now, page.protection_soon)

        self._ops.query(first, success=self._apply_first, failure=self._failed)

    def _count_total(self) -> None:
        """Count the whole queue in a job of its own, after the first page: the count walks
        every open item's index entry (it grows with the queue, a page does not)."""
        actor, now, mine, number = self._actor, self._now, self.assigned_to_id, self._listing_number

        def counted(total: int) -> None:
            if number == self._listing_number:
                self._total = total
                self.sig_total.emit(total)

        self._ops.query(lambda session: count_queue(session, actor, now=now, group_mass_reports=True,
                                                    assigned_to_id=mine), success=counted)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt override
        if parent.isValid() or self._busy or not self._loaded_once:
            return False
        return self._cursor is not None

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008 - Qt override
        """The next page, read on the database worker; its rows are added when it arrives."""
        if not self.canFetchMore(parent):
            return
        self._busy = True
        actor, cursor, mine, prepare = self._actor, self._cursor, self.assigned_to_id, self._prepare

        def next_page(session: Session) -> tuple[QueuePage, tuple[Prepared, ...]]:
            page = list_queue(session, actor, after=cursor, limit=CHUNK, audit_read=False,
                              group_mass_reports=True, assigned_to_id=mine)
            return page, prepare(page.rows, page.now, page.protection_soon)

        self._ops.query(next_page, success=self._append, failure=self._failed)

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

    def _apply_first(self, result: tuple[QueuePage, datetime | None, tuple[Prepared, ...]]) -> None:
        page, self._marker, prepared = result
        self._replace(page, prepared)
        self._finish()

    def _replace(self, page: QueuePage, prepared: tuple[Prepared, ...]) -> None:
        self.beginResetModel()
        self._ids, self._keys, self._child_of = [], [], {}
        self._rows.clear()
        self._texts.clear()
        self._soon = page.protection_soon
        self._now = page.now or self._clock()
        self._listing_number += 1
        if page.total is not None:
            self._total = page.total
        elif page.next_cursor is None:  # the whole listing is on this page
            self._total = len(prepared)
        else:
            self._count_total()
        for each in prepared:
            self._ids.append(each.row.id)
            self._keys.append(each.key)
            self._remember(each.row, each.texts)
        self._cursor = page.next_cursor
        self.endResetModel()

    def _append(self, result: tuple[QueuePage, tuple[Prepared, ...]]) -> None:
        page, prepared = result
        fresh = [each for each in prepared if each.row.id not in self._child_of]
        if fresh:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._ids.extend(each.row.id for each in fresh)
            self._keys.extend(each.key for each in fresh)
            for each in fresh:
                self._remember(each.row, each.texts)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._finish()

    def _apply_changes(self, result: tuple[datetime | None, ItemsRefresh | QueuePage, int,
                                           tuple[Prepared, ...]]) -> None:
        self._marker, found, total, prepared = result
        if isinstance(found, QueuePage):
            self._replace(found, prepared)
        else:
            self._now = found.now
            self._apply_items(found, prepared, ())
            if total >= 0:
                self._total = total
        self._finish()

    def _apply_items(self, found: ItemsRefresh, prepared: tuple[Prepared, ...],
                     asked: Iterable[int]) -> None:
        """Rows of the re-read children take their new place; rows no longer listed go."""
        visible = {row.id: row for row in found.rows}
        gone = {i for i, child in self._child_of.items() if child in found.child_ids} | set(asked)
        for item_id in sorted(gone - set(visible), key=self._position, reverse=True):
            position = self._position(item_id)
            if position >= 0:
                self.beginRemoveRows(QModelIndex(), position, position)
                self._forget(position)
                self.endRemoveRows()
        for each in prepared:
            self._place(each)
        self._wanted.difference_update(visible)
        if self._ids and self._cursor is not None:
            # the next page continues after the last loaded row, at the keys' moment
            tier, due, item_id = self._keys[-1]
            self._cursor = QueueCursor(now=self._now, tier=tier, next_due=due, item_id=item_id)

    def _place(self, prepared: Prepared) -> None:
        row, key = prepared.row, prepared.key
        position = self._position(row.id)
        beyond = self._cursor is not None and (not self._keys or key > self._keys[-1])
        if position < 0:
            if beyond:
                return  # comes with a later page
            target = bisect.bisect_left(self._keys, key)
            self.beginInsertRows(QModelIndex(), target, target)
            self._ids.insert(target, row.id)
            self._keys.insert(target, key)
            self._remember(row, prepared.texts)
            self.endInsertRows()
            return
        self._remember(row, prepared.texts)
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

    def _remember(self, row: QueueRow, texts: RowTexts) -> None:
        rows = self._rows
        rows[row.id] = row
        rows.move_to_end(row.id)
        self._texts[row.id] = texts
        self._child_of[row.id] = row.child_id
        while len(rows) > ROW_CACHE:
            self._texts.pop(rows.popitem(last=False)[0], None)

    def _forget(self, position: int) -> None:
        item_id = self._ids.pop(position)
        del self._keys[position]
        self._rows.pop(item_id, None)
        self._texts.pop(item_id, None)
        self._child_of.pop(item_id, None)

    def _cached(self, item_id: int) -> QueueRow | None:
        row = self._rows.get(item_id)
        if row is not None:
            self._rows.move_to_end(item_id)
            return row
        self._want(item_id)
        return None

    def _want(self, item_id: int) -> None:
        """A shown row no longer cached: read it again (with the others wanted meanwhile)."""
        if not self._wanted:
            QTimer.singleShot(0, self._read_wanted)
        self._wanted.add(item_id)

    def _read_wanted(self) -> None:
        if self._wanted:
            self.refresh_items(self._wanted)

    def _texts_of(self, item_id: int) -> RowTexts | None:
        """The row's texts, made again when the clock has moved past them (once a minute
        at most for a row with a deadline, on the GUI thread, for the rows being shown)."""
        texts = self._texts.get(item_id)
        if texts is None:
            self._want(item_id)
            return None
        now = self._clock()
        if now > texts.valid_until:
            texts = self._texts[item_id] = self._formatter.texts(self._rows[item_id], now)
        return texts

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
        return 0 if parent.isValid() else COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[Column(section)]
        return None

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        """O(1): the row's prepared texts, levels and brushes (see `row_texts`)."""
        if role == _DISPLAY:
            position = index.row()
            if not 0 <= position < len(self._ids):
                return None
            item_id = self._ids[position]
            texts = self._texts_of(item_id)
            if texts is None:
                return None
            self._rows.move_to_end(item_id)  # shown: the last to leave the cache
            return texts.display[index.column()]
        if role == _BACKGROUND or role == _FOREGROUND:
            position = index.row()
            if not 0 <= position < len(self._ids):
                return None
            texts = self._texts_of(self._ids[position])
            level = None if texts is None else texts.levels[index.column()]
            return None if level is None else self._brushes[level, role]
        if role == _FLAGS:
            row = self.row_at(index.row())
            return row.flags if row is not None and index.column() == _FLAGS_COLUMN else None
        if role == _ROW:
            return self.row_at(index.row())
        if role == _TOOLTIP:
            row = self.row_at(index.row())
            return None if row is None else self._tooltip(row, index.column())
        return None

    def _tooltip(self, row: QueueRow, column: int) -> str | None:
        if column == Column.RECEIVED:
            return format_datetime_sv(row.received_at)
        if column == Column.PROTECTION_LEFT:
            return self.tr("Skyddsbedömning senast {due}").format(
                due=format_datetime_sv(row.protection_due))
        if column == Column.DECISION_LEFT:
            due = applicable_decision_due(row.decision_due, row.decision_due_extended)
            note = self.tr(" (förlängd)") if row.decision_due_extended else ""
            return self.tr("Beslut senast {due}{note}").format(due=format_datetime_sv(due), note=note)
        if column == Column.FLAGS:
            return flags_explanation(row.flags, concern_codes=row.concern_codes,
                                     data_quality_warnings=row.data_quality_warnings)
        # names, statuses and the rest may be cut off in a narrow column: the whole text
        texts = self._texts_of(row.id)
        text = texts.display[column] if texts is not None else ""
        if column == Column.CHILD and row.protected_identity:
            return text + "\n" + self.tr("Skyddad identitet – adressen visas inte")
        return text or None
