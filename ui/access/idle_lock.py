"""The idle lock: after a while without keyboard or mouse use, every window of the
application is covered so no case data shows, until the user signs in again.

Nothing is closed: an open form (a registration, a proposal, an assessment) keeps its text
under its cover and goes on autosaving; its keys and its close button are held back while
locked, so neither Escape nor a stray click can end it. The time is the database setting
`idle_lock_minutes` (default 10).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLayout,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.auth import has_password, idle_lock_minutes
from mottagning.context import Actor
from mottagning.timeutil import format_datetime_sv, utc_now
from ui.access.signin_dialog import SignInForm

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
             QEvent.Type.Wheel, QEvent.Type.TouchBegin}
_HELD_BACK = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
              QEvent.Type.Shortcut, QEvent.Type.Close, QEvent.Type.MouseButtonPress,
              QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel}
COVER_STYLE = "#lockCover { background: #eceff1; }"


class _Cover(QWidget):
    """Fills its window and follows its size; everything under it is disabled."""

    def __init__(self, window: QWidget, content: QWidget):
        super().__init__(window)
        self.setObjectName("lockCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(COVER_STYLE)
        layout = QVBoxLayout(self)
        # High up, so the unlock dialog (centred on the window) does not hide it.
        layout.addStretch(1)
        layout.addWidget(content, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(5)
        self._window = window
        # Other windows (dialogs parented here) get covers of their own.
        children = window.findChildren(QWidget, "", Qt.FindChildOption.FindDirectChildrenOnly)
        self._disabled = [w for w in children if w is not self and not w.isWindow() and w.isEnabled()]
        for widget in self._disabled:
            widget.setEnabled(False)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._window.rect())
        return False

    def remove(self) -> None:
        self._window.removeEventFilter(self)
        for widget in self._disabled:
            widget.setEnabled(True)
        self.hide()
        self.deleteLater()


class _UnlockDialog(QDialog):
    """The one place input goes while locked: application-modal, so it stays usable above
    a form that was open window-modally, and it cannot be closed except by unlocking."""

    def __init__(self, parent: QWidget, content: QWidget):
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.setWindowTitle(self.tr("Mottagning är låst"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # grows with a message
        layout.addWidget(content)
        self.may_close = False

    def reject(self) -> None:  # Qt override: Escape does not unlock
        if self.may_close:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if self.may_close:
            super().closeEvent(event)
        else:
            event.ignore()


class IdleLock(QObject):
    """Locks `window` (and every other window of the application) after `timeout_ms` idle."""

    sig_locked = Signal()
    sig_unlocked = Signal()

    def __init__(self, window: QMainWindow, actor: Actor, ops, *, timeout_ms: int,  # type: ignore[no-untyped-def]
                 clock: Callable[[], datetime] = utc_now):
        super().__init__(window)
        self._window = window
        self._actor = actor
        self._ops = ops
        self._clock = clock
        self._covers: list[_Cover] = []
        self._dialog: _UnlockDialog | None = None
        self.form: SignInForm | None = None
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.lock)
        self.set_timeout(timeout_ms)
        QApplication.instance().installEventFilter(self)

    @property
    def locked(self) -> bool:
        return bool(self._covers)

    def set_timeout(self, timeout_ms: int) -> None:
        self._timer.setInterval(max(1, timeout_ms))
        if not self.locked:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        kind = event.type()
        if not self.locked:
            if kind in _ACTIVITY:
                self._timer.start()
            return False
        if not isinstance(watched, QWidget):
            # Key presses pass through the QWindow on their way to the focused widget;
            # only shortcuts (delivered to actions) are stopped at this level.
            if kind != QEvent.Type.Shortcut:
                return False
        elif kind not in _HELD_BACK or self._inside_unlock_form(watched):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # an accepted override stops the shortcut from firing
        else:
            event.ignore()
        return True

    def _inside_unlock_form(self, watched: QWidget) -> bool:
        dialog = self._dialog
        return dialog is not None and (watched is dialog or dialog.isAncestorOf(watched))

    def lock(self) -> None:
        """Cover every window now (the menu's "Lås nu" and the idle timer)."""
        if self.locked:
            return
        self._timer.stop()
        self._ops.query(lambda session: has_password(session, self._actor.user_id),
                        success=self._cover_all, failure=lambda _error: self._cover_all(True))

    def _cover_all(self, with_password: bool) -> None:
        if self.locked:
            return
        for top in QApplication.topLevelWidgets():
            if top.isVisible() and top.isWindow():
                self._covers.append(_Cover(top, self._hint()))
        self._dialog = _UnlockDialog(self._window, self._unlock_panel(with_password))
        self._dialog.show()
        if self.form is not None:
            self.form.focus_password()
        self.sig_locked.emit()

    def _hint(self) -> QLabel:
        label = QLabel(self.tr("<h2>Mottagning är låst</h2>Ärendena är dolda. Det du skrivit "
                               "finns kvar.<br>Lås upp med ditt lösenord i rutan <i>Mottagning "
                               "är låst</i>."))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def _unlock_panel(self, with_password: bool) -> QWidget:
        panel = QWidget()
        panel.setFixedWidth(440)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(12, 8, 12, 8)
        since = format_datetime_sv(self._clock())
        heading = QLabel(self.tr("<h3>Mottagning är låst</h3>"
                                 "Ärendena är dolda eftersom datorn inte har använts på en stund "
                                 "(låst {since}). Det du höll på med finns kvar.").format(since=since))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        if with_password:
            self.form = SignInForm(self._ops, username=self._actor.username, username_editable=False,
                                   button_text=self.tr("Lås upp"), clock=self._clock)
            self.form.sig_signed_in.connect(self._on_signed_in)
            layout.addWidget(self.form)
        else:
            self.form = None
            hint = QLabel(self.tr("Du har inget lösenord i Mottagning, så vem som helst vid datorn "
                                  "kan låsa upp. Välj ett lösenord (mottagning users passwd) så "
                                  "skyddar låset ärendena."))
            hint.setWordWrap(True)
            layout.addWidget(hint)
            button = QPushButton(self.tr("Lås upp"))
            button.clicked.connect(self.unlock)
            layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignRight)
        return panel

    def _on_signed_in(self, actor: Actor) -> None:
        if actor.user_id != self._actor.user_id:
            return  # the name field is read-only: only the same user can unlock
        self.unlock()

    def unlock(self) -> None:
        if self._dialog is not None:
            self._dialog.may_close = True
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        for cover in reversed(self._covers):
            cover.remove()
        self._covers.clear()
        self.form = None
        self._timer.start()
        self.sig_unlocked.emit()

    def shutdown(self) -> None:
        QApplication.instance().removeEventFilter(self)
        self._timer.stop()


def install_idle_lock(window: QMainWindow, *, timeout_ms: int | None = None,
                      clock: Callable[[], datetime] = utc_now) -> IdleLock:
    """Give `window` (a MainWindow with `.actor` and `.ops`) its idle lock; the time comes
    from the database setting unless `timeout_ms` is given."""
    lock = IdleLock(window, window.actor, window.ops,  # type: ignore[attr-defined]
                    timeout_ms=timeout_ms or 10 * 60_000, clock=clock)
    if timeout_ms is None:
        window.ops.query(idle_lock_minutes,  # type: ignore[attr-defined]
                         success=lambda minutes: lock.set_timeout(int(minutes * 60_000)))
    return lock
