"""The main window: the queue, the detail pane, and room for the other areas' pages.

Other areas plug in through `add_page(title, widget)`, `add_banner(widget)` (above every
page: the alarms banner goes here), `menu(title)` and `sig_current_item_changed`; they
run database work through `window.ops` and refresh on `ops.sig_operation_executed`.

The queue comes first: the window shows its first page before the other areas are
imported and installed, one per turn of the event loop, in the order of `AREAS`
(`sig_started` when the last is in; the unsaved drafts are offered then, when every
area's draft opener is known).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from mottagning.assessment.service import STATUS_LABELS as ASSESSMENT_STATUS_LABELS
from mottagning.audit.changes import ChangeNotice
from mottagning.context import Actor, Changes
from mottagning.db.database import Database
from mottagning.i18n import ngettext
from mottagning.queue.listing import QueueRow
from mottagning.rules.permissions import ROLE_LABELS_SV, Role
from mottagning.rules.status import LABELS_SV as STATUS_LABELS_SV
from mottagning.timeutil import utc_now
from ui.intake.drafts import DRAFT_KEY as REGISTER_DRAFT_KEY
from ui.intake.drafts import DRAFT_KIND as REGISTER_DRAFT_KIND
from ui.operations import Operations
from ui.operations.notifications import ChangeFeed, changes_of_notice
from ui.queue.detail_pane import DetailPane
from ui.queue.model import FLAGS_ROLE, Column, QueueModel
from ui.widgets.accessibility import name_widgets
from ui.widgets.autosave import DraftOpener, UnsavedDrafts
from ui.widgets.connection_banner import ConnectionBanner
from ui.widgets.data_age import DataAge
from ui.widgets.draft_openers import item_draft_openers
from ui.widgets.flag_delegate import FlagDelegate
from ui.widgets.style import DEMO_BANNER
from ui.widgets.window_geometry import fit_window, window_settings

if TYPE_CHECKING:
    from ui.intake.register_dialog import RegisterDialog

STATUS_TEXTS = (*STATUS_LABELS_SV.values(), *ASSESSMENT_STATUS_LABELS.values())
REFRESH_MS = 30_000
OPEN_DELAY_MS = 250  # opening is audited: wait until arrow-key browsing settles

COLUMN_WIDTHS = {
    Column.URGENCY: 72, Column.CHILD: 165, Column.AGE: 50, Column.RECEIVED: 128,
    Column.PROTECTION_LEFT: 135, Column.DECISION_LEFT: 130, Column.CONCERNS: 190,
    Column.REPORTER: 120, Column.FLAGS: 185, Column.STATUS: 130, Column.ASSIGNED: 110,
}
# The order on screen: what a worker scans first (the child, its risk flags, the time left,
# who has it) comes before what the detail pane also shows, so a laptop's narrower table
# still shows the flags without scrolling sideways.
COLUMN_ORDER = (
    Column.URGENCY, Column.CHILD, Column.FLAGS, Column.PROTECTION_LEFT, Column.DECISION_LEFT,
    Column.STATUS, Column.ASSIGNED, Column.AGE, Column.RECEIVED, Column.CONCERNS,
    Column.REPORTER,
)
# The header's saved layout (order, widths, hidden columns) is kept per user under this key;
# the column count in it makes a layout saved for other columns be ignored.
HEADER_STATE_KEY = f"queue/header-{len(Column)}"




def _install_of(module: str) -> Callable[[MainWindow], object]:
    """`module.install`, imported when it is called: after the queue's first page."""
    def install(window: MainWindow) -> object:
        return importlib.import_module(module).install(window)

    return install


# The other areas' GUI: each module's `install(window)` adds its pages, menus and actions
# through the window's public methods and returns what it built, kept in
# `window.extensions` under the module's name. Listed here explicitly: no discovery.
AREAS: dict[str, Callable[[MainWindow], object]] = {
    module: _install_of(module) for module in (
        "ui.intake.install",
        "ui.queue.item_actions",
        "ui.letters.install",
        "ui.decisions.signoff_pane",
        "ui.audit.loggkontroll",
        "ui.access.settings_dialog",
        "ui.stats.dashboard",
        "ui.calibration",
    )
}
EXTENSIONS = tuple(AREAS)
# When the queue's first page has not come within this time (an error, a slow server),
# the other areas are installed anyway.
AREAS_AT_THE_LATEST_MS = 2_000


def installers(names: Sequence[str]) -> list[tuple[str, Callable[[MainWindow], object]]]:
    """The `install` of each named area; a name not wired in above is an error."""
    unknown = [name for name in names if name not in AREAS]
    if unknown:
        raise KeyError(f"not wired into the main window: {', '.join(unknown)}")
    return [(name, AREAS[name]) for name in names]


def database_title(database: Database) -> str:
    """A short name of the database for the title bar (never a password)."""
    url = make_url(database.url)
    if database.embedded:
        return Path(url.database or "").name or database.display_name()
    return f"{url.host or 'localhost'}/{url.database}"


class _AfterPaint(QObject):
    """Calls `then` once, on the first turn of the event loop after `widget` was painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._then)  # after this paint has finished
        return False


def _stacked(top: QWidget, main: QWidget) -> QWidget:
    """`main` with a thin line (`top`) above it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(top)
    layout.addWidget(main, 1)
    return box


class MainWindow(QMainWindow):
    sig_current_item_changed = Signal(object)  # queue item id or None
    sig_user_switched = Signal(object)  # Actor: the application opens a window for them
    sig_started = Signal()  # the first page is shown and every area is installed

    def __init__(self, database: Database, actor: Actor, *, demo: bool = False,
                 clock: Callable[[], datetime] = utc_now,
                 extensions: Sequence[str] = EXTENSIONS):
        areas = installers(extensions)
        super().__init__()
        self.database = database
        self.actor = actor
        self.demo = demo
        self._clock = clock
        self.clock = clock  # the areas' pages judge deadlines by the window's clock
        self.ops = Operations(database, parent_widget=self, clock=clock)
        self.ops.sig_operation_executed.connect(self._on_operation_executed)
        self._menus: dict[str, QMenu] = {}
        self.register_dialog: RegisterDialog | None = None
        # draft kind → opens the form for a draft key; the form then offers the draft back
        self.draft_openers: dict[str, DraftOpener] = {
            REGISTER_DRAFT_KIND: self._open_register_draft, **item_draft_openers(self)}

        title = self.tr("Mottagning – {name}").format(name=database_title(database))
        self.setWindowTitle(title + (self.tr(" – DEMO") if demo else ""))
        fit_window(self, "main", QSize(1500, 900))

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        self._banners = QVBoxLayout()
        layout.addLayout(self._banners)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        layout.addWidget(self.pages)
        self.setCentralWidget(central)
        if demo:
            banner = QLabel(self.tr("DEMO – påhittade uppgifter om påhittade personer. "
                                    "Använd inte för riktiga ärenden."))
            banner.setObjectName("demoBanner")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setStyleSheet(DEMO_BANNER)
            self.add_banner(banner)
        self.connection_banner = ConnectionBanner(clock)
        self.add_banner(self.connection_banner)
        self.unsaved_drafts = UnsavedDrafts()
        self.add_banner(self.unsaved_drafts)

        self.model = QueueModel(self.ops, actor, clock=clock, parent=self)
        # the queue's first page is the first job on the database thread, asked for before
        # the rest of the window is built (its result is handled once the event loop runs)
        self.model.refresh()
        self.table = self._build_table()
        self.detail = DetailPane(self.ops, actor, clock=clock)
        self.detail.sig_open_item.connect(self.show_item)
        self._empty_hint = QLabel(self.tr(
            "Inga anmälningar ännu.\nRegistrera den första med Ny anmälan (Ctrl+N); "
            "anmälningar från e-tjänsten visas här när de har importerats."))
        self._empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty_hint.setWordWrap(True)
        self._queue_stack = QStackedWidget()
        self._queue_stack.addWidget(self.table)
        self._queue_stack.addWidget(self._empty_hint)
        # while the server is gone, how old the queue and the shown case are
        self.queue_age, self.detail_age = DataAge(clock), DataAge(clock)
        self.model.sig_loaded.connect(self.queue_age.mark_fetched)
        self.detail.sig_loaded.connect(lambda _item_id: self.detail_age.mark_fetched())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(_stacked(self.queue_age, self._queue_stack))
        splitter.addWidget(_stacked(self.detail_age, self.detail))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([1150, 450])
        self.add_page(self.tr("Kö"), splitter)

        self._build_actions()
        self._build_status_bar()
        self.model.sig_loaded.connect(self._on_loaded)
        self.model.sig_total.connect(self._on_loaded)  # the count follows the first page
        # the first page is the first thing painted: the other areas are installed after it
        # (their pages load after it)
        self.extensions: dict[str, object] = {}
        self._areas_to_install = list(areas)
        self.started = False
        self._closed = False
        self._first_paint: _AfterPaint | None = None
        self.model.sig_loaded.connect(self._on_first_page)
        self._areas_timer = QTimer(self, singleShot=True, interval=AREAS_AT_THE_LATEST_MS)
        self._areas_timer.timeout.connect(self._install_next_area)
        self._areas_timer.start()
        # Other desks' changes: the same refresh as this window's own operations.
        self.change_feed = ChangeFeed(self.ops, parent=self)
        self.change_feed.sig_changes.connect(self._on_other_desks_changes)
        self.change_feed.sig_connection.connect(self.connection_banner.set_connected)
        self.change_feed.sig_connection.connect(self.queue_age.set_connected)
        self.change_feed.sig_connection.connect(self.detail_age.set_connected)
        self._contact_lost = False
        self.change_feed.sig_connection.connect(self._on_connection)

        self._open_timer = QTimer(self, singleShot=True, interval=OPEN_DELAY_MS)
        self._open_timer.timeout.connect(self._open_current)
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()

    # -- extension points --------------------------------------------------------

    def add_page(self, title: str, widget: QWidget) -> int:
        """Add a page (tab) next to the queue; returns its index."""
        return self.pages.addTab(widget, title)

    def add_banner(self, widget: QWidget) -> None:
        """Add a banner above all pages; the banner shows and hides itself."""
        self._banners.addWidget(widget)

    def menu(self, title: str) -> QMenu:
        """The menu called `title`, created at the end of the menu bar if missing."""
        if title not in self._menus:
            self._menus[title] = self.menuBar().addMenu(title)
        return self._menus[title]

    def add_queue_actions(self, actions: Sequence[QAction], *, toolbar: bool = False) -> None:
        """Offer `actions` in the queue's context menu (and the toolbar)."""
        for action in actions:
            self.table.addAction(action)
            if toolbar:
                self.toolbar.addAction(action)

    def selected_row(self) -> QueueRow | None:
        """The queue row the user has selected, if it is loaded."""
        return self.model.row_at(self.table.currentIndex().row())

    def selected_item_id(self) -> int | None:
        row = self.selected_row()
        return row.id if row else None

    def show_item(self, item_id: int) -> None:
        """Select `item_id` in the queue, or (inside a mass-report group, say) just show it."""
        if not self.select_item(item_id):
            self.detail.show_item(item_id)

    def select_item(self, item_id: int) -> bool:
        """Make `item_id` current if it is loaded in the queue."""
        position = self.model.row_of(item_id)
        if position is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(position, Column.CHILD),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(self.model.index(position, 0))
        return True

    # -- building ----------------------------------------------------------------

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("queue")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        # the longest status ("Väntar på andra signatur") whole; other cut-off texts have
        # their whole text as a tooltip
        longest = max(table.fontMetrics().horizontalAdvance(text) for text in STATUS_TEXTS)
        header.resizeSection(Column.STATUS, max(COLUMN_WIDTHS[Column.STATUS], longest + 16))
        for place, column in enumerate(COLUMN_ORDER):
            header.moveSection(header.visualIndex(column), place)
        header.setSectionsMovable(True)
        saved = window_settings().value(HEADER_STATE_KEY)
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            header.restoreState(saved)
            header.setSectionHidden(Column.CHILD, False)  # never a queue without the child
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        table.setItemDelegateForColumn(
            Column.FLAGS, FlagDelegate(self.model.flag_labels, FLAGS_ROLE, table))
        table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        return table

    def column_actions(self) -> list[QAction]:
        """One checkable action per column ("Visa kolumner"): hide what you do not need on a
        small screen; the child's column always stays."""
        header = self.table.horizontalHeader()
        actions = []
        for column in sorted(Column, key=header.visualIndex):
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            action = QAction(title, self, checkable=True, checked=not header.isSectionHidden(column))
            action.setEnabled(column != Column.CHILD)
            action.toggled.connect(lambda shown, c=column: self.show_column(c, shown))
            actions.append(action)
        return actions

    def show_column(self, column: Column, shown: bool) -> None:
        header = self.table.horizontalHeader()
        header.setSectionHidden(column, not shown and column != Column.CHILD)
        window_settings().setValue(HEADER_STATE_KEY, header.saveState())

    def _column_menu(self, position: QPoint) -> None:
        menu = QMenu(self.tr("Visa kolumner"), self)
        for action in self.column_actions():
            action.setParent(menu)
            menu.addAction(action)
        menu.popup(self.table.horizontalHeader().mapToGlobal(position))

    def _build_actions(self) -> None:
        self.new_report_action = QAction(self.tr("&Ny anmälan…"), self)
        self.new_report_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_report_action.triggered.connect(self.new_report)
        self.refresh_action = QAction(self.tr("&Uppdatera"), self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.refresh)
        self.switch_user_action = QAction(self.tr("&Byt användare…"), self)
        self.switch_user_action.triggered.connect(self.switch_user)
        self.switch_user_dialog: QDialog | None = None
        quit_action = QAction(self.tr("&Avsluta"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        archive = self.menu(self.tr("&Arkiv"))
        archive.addAction(self.new_report_action)
        archive.addAction(self.refresh_action)
        archive.addSeparator()
        archive.addAction(self.switch_user_action)
        archive.addAction(quit_action)
        toolbar = self.toolbar = self.addToolBar(self.tr("Verktyg"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.new_report_action)
        toolbar.addAction(self.refresh_action)

    def _build_status_bar(self) -> None:
        roles = ", ".join(ROLE_LABELS_SV[Role(r)] for r in sorted(self.actor.roles)
                          if r in ROLE_LABELS_SV)
        # A server's URL carries TLS options and certificate paths: the status bar names
        # host and database (the window must still fit a 1280-pixel screen), the tooltip all.
        shown = self.database.display_name() if self.database.embedded \
            else database_title(self.database)
        self.database_label = QLabel(self.tr("Databas: {name}").format(name=shown))
        self.database_label.setToolTip(self.database.display_name())
        self.user_label = QLabel(self.tr("Användare: {name} ({roles})").format(
            name=self.actor.full_name, roles=roles))
        self.count_label = QLabel()
        bar = self.statusBar()
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.database_label)
        bar.addPermanentWidget(self.user_label)

    # -- the other areas, after the first page ----------------------------------

    def _on_first_page(self) -> None:
        """Install the areas once the first page has been painted (a window that is not
        painted, minimised say, gets them at AREAS_AT_THE_LATEST_MS)."""
        self.model.sig_loaded.disconnect(self._on_first_page)
        shown = self._queue_stack.currentWidget()
        painted = self.table.viewport() if shown is self.table else shown
        self._first_paint = _AfterPaint(painted, self._install_next_area)
        self._areas_timer.start()

    def _install_next_area(self) -> None:
        """Install one area, then let the event loop breathe (a click, a repaint, a
        database result) before the next; after the last the window has started."""
        self._areas_timer.stop()
        if self._first_paint is not None:
            self._first_paint.deleteLater()
            self._first_paint = None
        if self.started or self._closed:
            return
        if self._areas_to_install:
            name, install = self._areas_to_install.pop(0)
            self.extensions[name] = install(self)
        if self._areas_to_install:
            QTimer.singleShot(0, self, self._install_next_area)
            return
        self.started = True
        name_widgets(self)  # what the areas built after the window was shown (and named)
        self._offer_unsaved_drafts()
        self.sig_started.emit()

    # -- behaviour ---------------------------------------------------------------

    def refresh(self) -> None:
        self.model.refresh()
        self.detail.refresh_times()

    def new_report(self) -> None:
        if self.register_dialog is not None:
            self.register_dialog.raise_()
            self.register_dialog.activateWindow()
            return
        from ui.intake.register_dialog import RegisterDialog

        dialog = RegisterDialog(self.ops, self.actor, parent=self)
        dialog.sig_registered.connect(self._on_registered)
        dialog.finished.connect(self._on_register_closed)
        self.register_dialog = dialog
        dialog.open()

    def switch_user(self) -> None:
        """Ask who takes over; `sig_user_switched` carries them when they have signed in."""
        from ui.access.signin_dialog import SwitchUserDialog  # the sign-in area's dialog

        if self.switch_user_dialog is not None:
            self.switch_user_dialog.raise_()
            return
        dialog = SwitchUserDialog(self.ops, self.actor, embedded=self.database.embedded, parent=self)
        self.switch_user_dialog = dialog

        def finished(_result: int) -> None:
            self.switch_user_dialog = None
            dialog.deleteLater()
            if dialog.actor is not None:
                self.sig_user_switched.emit(dialog.actor)

        dialog.finished.connect(finished)
        dialog.open()

    def _on_connection(self, up: bool) -> None:
        """The server is back after a loss: what forms closed meanwhile kept on this
        computer reaches the database now (an open form saves its own), and is offered."""
        if not up:
            self._contact_lost = True
        elif self._contact_lost:
            self._contact_lost = False
            if self.started:
                self._offer_unsaved_drafts()

    def _offer_unsaved_drafts(self) -> None:
        """At start-up: every draft the user left (a crash, a closed form) is offered."""
        from mottagning.access import local_drafts
        from mottagning.access.drafts import list_drafts

        actor, name = self.actor, self.database.display_name()

        def drafts(session):  # type: ignore[no-untyped-def]
            # drafts kept on this computer when the program ended without the server
            return local_drafts.save_pending(session, actor, name), list_drafts(session, actor)

        def offer(result) -> None:  # type: ignore[no-untyped-def]
            kept, found = result
            for draft in kept:
                local_drafts.forget(name, actor.user_id, draft.kind, draft.key)
            self.unsaved_drafts.show_drafts(found, self.draft_openers)

        self.ops.query(drafts, success=offer)

    def _open_register_draft(self, key: str) -> None:
        if key == REGISTER_DRAFT_KEY:
            self.new_report()

    def _on_register_closed(self) -> None:
        if self.register_dialog is not None:
            self.register_dialog.deleteLater()
        self.register_dialog = None

    def _on_registered(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    def _on_loaded(self) -> None:
        empty = self.model.total == 0 and self.model.rowCount() == 0
        self._queue_stack.setCurrentWidget(self._empty_hint if empty else self.table)
        self.count_label.setText(ngettext(self.tr("{n} öppet ärende"), self.tr("{n} öppna ärenden"),
                                           self.model.total).format(n=self.model.total))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        self.sig_current_item_changed.emit(row.id if row else None)
        self._open_timer.start()

    def _open_current(self) -> None:
        item_id = self.selected_item_id()
        if item_id != self.detail.item_id:
            self.detail.show_item(item_id)

    def _on_other_desks_changes(self, notice: ChangeNotice) -> None:
        """Another desk changed something: only its rows are reloaded (with the child's
        other loaded rows), and every other page refreshes as after this window's own work."""
        changes = changes_of_notice(notice)
        if not notice.kinds:  # bookkeeping (who has a form open): the forms listen themselves
            return
        if changes.queue and not notice.complete:
            self.model.refresh()
        elif changes.queue:
            same_child = self.model.loaded_items_of_children(notice.child_ids)
            changes = replace(changes, item_ids=tuple(dict.fromkeys([*notice.item_ids, *same_child])))
            self.model.refresh_items(changes.item_ids)
        self.ops.sig_operation_executed.emit(changes, self.change_feed)

    def _on_operation_executed(self, changes: Changes, initiator: object | None = None) -> None:
        if changes.queue and initiator is not self.change_feed:
            self.model.refresh()
        if changes.item_ids and initiator is not self.change_feed:  # the feed re-read them
            self.model.refresh_items(changes.item_ids)
        if self.detail.item_id is not None and self.detail.item_id in changes.item_ids:
            self.detail.show_item(self.detail.item_id)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self._closed = True  # closed before the areas were all in: the rest never come
        self._areas_timer.stop()
        if self.register_dialog is not None:
            self.register_dialog.close()
        self._refresh_timer.stop()
        self._open_timer.stop()
        # the columns as the user left them (order, widths, hidden), for the next start
        window_settings().setValue(HEADER_STATE_KEY, self.table.horizontalHeader().saveState())
        self.change_feed.stop()
        self.ops.shutdown()
        super().closeEvent(event)
