"""Read-only table models of the loggkontroll page: rows are the service's records.

A review result is already loaded whole (it is filtered in SQL by user, child and period),
so sorting through a proxy is exact; times sort by their ISO value, not by the Swedish text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from mottagning.audit.review import (
    UNUSUAL_LABELS_SV,
    AccessReview,
    AuditEntry,
    ReaderSummary,
    UnusualAccess,
    action_label,
)
from mottagning.timeutil import format_datetime_sv

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Column = tuple[str, Callable[[Any], str], Callable[[Any], Any]]
READ_BACKGROUND = QColor("#eef4fb")


def _child(name: str | None, personnummer: str | None, child_id: int | None) -> str:
    if name:
        return name
    # the child's records have been weeded; the log keeps only the id
    return f"(gallrat, id {child_id})" if child_id is not None else ""


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent: QObject | None = None):
        super().__init__(parent)
        self._columns = list(columns)
        self.rows: tuple[Any, ...] = ()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt override
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Qt override
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section][0]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Qt override
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        _title, text, sort_key = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text(row)
        if role == SORT_ROLE:
            return sort_key(row)
        return self.extra(row, role)

    def extra(self, row: Any, role: int) -> Any:
        return None


class AccessModel(RowsModel):
    """Every event about a child: reads shaded, so changes stand out from openings."""

    def __init__(self, parent: QObject | None = None):
        tr = self.tr
        super().__init__([
            (tr("Tid"), lambda e: format_datetime_sv(e.occurred_at), lambda e: e.occurred_at.isoformat()),
            (tr("Användare"), lambda e: e.user_name or e.actor, lambda e: e.user_name or e.actor),
            (tr("Händelse"), lambda e: action_label(e.action), lambda e: action_label(e.action)),
            (tr("Barn"), lambda e: _child(e.child_name, e.personnummer, e.child_id), lambda e: e.child_name or ""),
            (tr("Personnummer"), lambda e: e.personnummer or "", lambda e: e.personnummer or ""),
            (tr("Ärende"), lambda e: str(e.item_id or ""), lambda e: e.item_id or -1),
        ], parent)

    def extra(self, row: AuditEntry, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and row.is_read:
            return READ_BACKGROUND
        return None


class UnusualModel(RowsModel):
    def __init__(self, parent: QObject | None = None):
        tr = self.tr
        super().__init__([
            (tr("Tid"), lambda u: format_datetime_sv(u.occurred_at), lambda u: u.occurred_at.isoformat()),
            (tr("Användare"), lambda u: u.user_name or u.actor, lambda u: u.user_name or u.actor),
            (tr("Typ"), lambda u: UNUSUAL_LABELS_SV[u.kind], lambda u: u.kind),
            (tr("Barn"), lambda u: _child(u.child_name, u.personnummer, u.child_id) if u.kind != "many_cases"
             else tr("flera barn"), lambda u: u.child_name or ""),
            (tr("Förklaring"), lambda u: u.explanation, lambda u: u.explanation),
        ], parent)


class ReadersModel(RowsModel):
    def __init__(self, parent: QObject | None = None):
        tr = self.tr
        super().__init__([
            (tr("Användare"), lambda r: r.user_name or r.actor, lambda r: r.user_name or r.actor),
            (tr("Läsningar"), lambda r: str(r.reads), lambda r: r.reads),
            (tr("Senaste"), lambda r: format_datetime_sv(r.last), lambda r: r.last.isoformat()),
            (tr("Första"), lambda r: format_datetime_sv(r.first), lambda r: r.first.isoformat()),
        ], parent)


def summary_text(review: AccessReview, tr: Callable[[str], str]) -> str:
    """One sentence that answers 'who read this child's case?' (or sums up the period)."""
    readers: tuple[ReaderSummary, ...] = review.readers
    if len(review.children) == 1:
        _id, name, personnummer = review.children[0]
        who = name + (f" ({personnummer})" if personnummer else "")
        if not readers:
            return tr("{child}: ingen har läst ärendet under perioden.").format(child=who)
        people = ", ".join(
            tr("{user} {n} gånger, senast {last}").format(
                user=r.user_name or r.actor, n=r.reads, last=format_datetime_sv(r.last))
            if r.reads != 1 else
            tr("{user} en gång, {last}").format(user=r.user_name or r.actor, last=format_datetime_sv(r.last))
            for r in readers
        )
        return tr("{child} har lästs av {count}: {people}.").format(
            child=who, count=tr("1 person") if len(readers) == 1 else tr("{n} personer").format(n=len(readers)),
            people=people)
    unusual: tuple[UnusualAccess, ...] = review.unusual
    return tr("{events} händelser om barn, {readers} användare har läst ärenden, "
              "{unusual} ovanliga åtkomster att granska.").format(
        events=len(review.entries), readers=len(readers), unusual=len(unusual))
