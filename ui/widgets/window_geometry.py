"""Every window and dialog fits the screen it opens on, and remembers its size and place.

(When first shown it also names its inputs and buttons for screen readers: see
ui/accessibility.py.)

A window asks for the size it would like (`preferred`); it gets that, or what the user
left it at last time (QSettings, per window), but never more than the screen's available
geometry (a 1280×720 laptop, a taskbar), and never a place off the screen (a second
monitor unplugged since). Content that does not fit scrolls (the windows put their long
parts in scroll areas); the main action stays in view outside them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from ui.widgets.accessibility import name_on_show

# Room for the window manager's frame (title bar, borders) that geometry() leaves out.
FRAME_ALLOWANCE = QSize(16, 40)
TITLE_BAR = 32


def window_settings() -> QSettings:
    """The per-user settings file that keeps the windows' geometry (an ini file)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     "Mottagning", "Mottagning")


def _screen_of(widget: QWidget) -> QScreen:
    anchor = widget.parentWidget()
    screen = (anchor.window().screen() if anchor is not None else None) or widget.screen()
    return screen or QGuiApplication.primaryScreen()


def clamp_to(available: QRect, wanted: QRect) -> QRect:
    """`wanted` made to fit in `available` (frame included): first smaller, then moved in."""
    width = min(wanted.width(), available.width() - FRAME_ALLOWANCE.width())
    height = min(wanted.height(), available.height() - FRAME_ALLOWANCE.height())
    left_edge = available.left() + FRAME_ALLOWANCE.width() // 2
    right_edge = available.right() - FRAME_ALLOWANCE.width() // 2 - width + 1
    top_edge = available.top() + TITLE_BAR
    bottom_edge = available.bottom() - (FRAME_ALLOWANCE.height() - TITLE_BAR) - height + 1
    x = max(left_edge, min(wanted.x(), right_edge))
    y = max(top_edge, min(wanted.y(), bottom_edge))
    return QRect(x, y, width, height)


class _GeometryKeeper(QObject):
    """Saves the window's geometry whenever it is hidden (closed, accepted, rejected)."""

    def __init__(self, widget: QWidget, name: str):
        super().__init__(widget)
        self._name = name
        self._shown = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) \
                and not self._shown:
            # a layout's minimum may have made the window larger than asked: move it in
            self._shown = True
            available = _screen_of(watched).availableGeometry()
            clamped = clamp_to(available, watched.geometry())
            if clamped.topLeft() != watched.geometry().topLeft():
                watched.move(watched.pos() + clamped.topLeft() - watched.geometry().topLeft())
        if event.type() == QEvent.Type.Hide and isinstance(watched, QWidget) \
                and watched.isWindow() and not watched.isMinimized():
            settings = window_settings()
            settings.setValue(f"windows/{self._name}", watched.normalGeometry()
                              if watched.isMaximized() else watched.geometry())
            settings.setValue(f"windows/{self._name}_maximized", watched.isMaximized())
        return False


def fit_window(widget: QWidget, name: str, preferred: QSize) -> None:
    """Give `widget` its remembered (else `preferred`) geometry, clamped to its screen,
    and remember it again when it closes. Call before the window is shown."""
    available = _screen_of(widget).availableGeometry()
    saved = window_settings().value(f"windows/{name}")
    if isinstance(saved, QRect) and saved.isValid():
        wanted = saved
    else:
        anchor = widget.parentWidget()
        centre = anchor.window().geometry().center() if anchor is not None else available.center()
        wanted = QRect(QPoint(0, 0), preferred)
        wanted.moveCenter(centre)
    widget.setGeometry(clamp_to(available, wanted))  # the frame goes around it
    if window_settings().value(f"windows/{name}_maximized") in (True, "true"):
        widget.setWindowState(widget.windowState() | Qt.WindowState.WindowMaximized)
    _GeometryKeeper(widget, name)
    name_on_show(widget)
