"""The loggkontroll page: who opened which child's case when, and unusual access.

For senior reviewers and system administrators. Every search is itself an audited
review (the service records it), so the page searches only when asked, never on a timer.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.users import list_users
from mottagning.audit.review import AccessReview, AuditFilter, review_access
from mottagning.context import Actor
from mottagning.rules.permissions import Action, allowed
from mottagning.timeutil import to_local
from ui.audit.loggkontroll_tables import (
    SORT_ROLE,
    AccessModel,
    ReadersModel,
    RowsModel,
    UnusualModel,
    summary_text,
)
from ui.operations import Operations

DEFAULT_DAYS = 30


def _table(model: RowsModel, parent: QWidget) -> QTableView:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def _date_edit(value: date, parent: QWidget) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class LoggkontrollPage(QWidget):
    sig_reviewed = Signal(object)  # AccessReview

    def __init__(self, ops: Operations, actor: Actor, *, today: date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self._actor = actor
        self.review: AccessReview | None = None
        today = today or to_local(ops.clock()).date()

        self.user = QComboBox(self)
        self.user.addItem(self.tr("Alla användare"), None)
        self.child = QLineEdit(self)
        self.child.setPlaceholderText(self.tr("Personnummer eller namn"))
        self.child.setClearButtonEnabled(True)
        self.start = _date_edit(today - timedelta(days=DEFAULT_DAYS), self)
        self.end = _date_edit(today, self)
        self.search_button = QPushButton(self.tr("Sök"), self)
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.child.returnPressed.connect(self.search)

        filters = QHBoxLayout()
        for label, widget in ((self.tr("Användare:"), self.user), (self.tr("Barn:"), self.child),
                              (self.tr("Från:"), self.start), (self.tr("Till:"), self.end)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 2 if widget is self.child else 0)
        filters.addWidget(self.search_button)

        self.summary = QLabel(self.tr("Välj användare, barn och period och tryck Sök. "
                                      "Varje sökning loggas som en loggkontroll."), self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.summary.setFont(font)

        self.readers_model = ReadersModel(self)
        self.unusual_model = UnusualModel(self)
        self.access_model = AccessModel(self)
        self.readers_view = _table(self.readers_model, self)
        self.unusual_view = _table(self.unusual_model, self)
        self.access_view = _table(self.access_model, self)
        self.access_view.horizontalHeader().setStretchLastSection(False)
        self.access_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.access_view.doubleClicked.connect(self._focus_child)
        self.access_view.setToolTip(self.tr("Dubbelklicka på en rad för att se allt om det barnet."))

        self.readers_box = self._box(self.tr("Vem har läst"), self.readers_view)
        self.unusual_box = self._box(self.tr("Ovanlig åtkomst"), self.unusual_view)
        self.access_box = self._box(self.tr("Åtkomst till barns ärenden"), self.access_view)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.readers_box)
        top.addWidget(self.unusual_box)
        top.setSizes([520, 800])
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(self.access_box)
        split.setSizes([300, 500])

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

        ops.query(lambda session: list_users(session), success=self._set_users)

    def _box(self, title: str, view: QTableView) -> QGroupBox:
        box = QGroupBox(title, self)
        box.setProperty("base_title", title)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(4, 4, 4, 4)
        inner.addWidget(view)
        return box

    def _set_users(self, users: list) -> None:  # type: ignore[type-arg]
        for user in users:
            self.user.addItem(f"{user.full_name} ({user.username})", user.username)

    def current_filter(self) -> AuditFilter:
        start, end = self.start.date(), self.end.date()
        return AuditFilter(
            username=self.user.currentData(),
            child=self.child.text().strip() or None,
            start=date(start.year(), start.month(), start.day()),
            end=date(end.year(), end.month(), end.day()),
        )

    def search(self) -> None:
        flt, actor = self.current_filter(), self._actor
        self.search_button.setEnabled(False)
        self._ops.query(lambda session: review_access(session, actor, flt),
                        success=self._show, failure=self._failed)

    def show_child(self, text: str) -> None:
        """Answer 'who read this child's case?' for a personnummer or name."""
        self.child.setText(text)
        self.user.setCurrentIndex(0)
        self.search()

    def _failed(self, error: BaseException) -> None:
        self.search_button.setEnabled(True)
        self._ops.errors.show_error(error)

    def _show(self, review: AccessReview) -> None:
        self.search_button.setEnabled(True)
        self.review = review
        self.readers_model.set_rows(review.readers)
        self.unusual_model.set_rows(review.unusual)
        self.access_model.set_rows(review.entries)
        for box, count in ((self.readers_box, len(review.readers)),
                           (self.unusual_box, len(review.unusual)),
                           (self.access_box, len(review.entries))):
            box.setTitle(f"{box.property('base_title')} ({count})")
        self.unusual_box.setStyleSheet(
            "QGroupBox { font-weight: bold; color: #7f0000; }" if review.unusual else "")
        self.summary.setText(summary_text(review, self.tr))
        for view, column in ((self.readers_view, 2), (self.unusual_view, 0), (self.access_view, 0)):
            view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
            view.resizeColumnsToContents()
        self.sig_reviewed.emit(review)

    def _focus_child(self, index: QModelIndex) -> None:
        proxy = self.access_view.model()
        assert isinstance(proxy, QSortFilterProxyModel)
        entry = self.access_model.rows[proxy.mapToSource(index).row()]
        if entry.child_name:
            self.show_child(entry.personnummer or entry.child_name)


def install(window) -> LoggkontrollPage | None:  # type: ignore[no-untyped-def]
    """The Loggkontroll page, for the roles that may review the log."""
    if not allowed(window.actor.roles, Action.REVIEW_AUDIT):
        return None
    page = LoggkontrollPage(window.ops, window.actor)
    window.add_page(window.tr("Loggkontroll"), page)
    return page
