"""Signing in with a password: at start (a dialog) and to unlock the idle lock (a form).

The check runs on the database worker thread; a wrong password shows the message of the
service, and after repeated failures the button waits out the delay with a countdown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from mottagning.access.auth import SignInOutcome, sign_in, switch_user, username_for_os_account
from mottagning.access.users import current_os_account
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.timeutil import utc_now
from ui.operations import Operations
from ui.widgets.accessibility import name_on_show
from ui.widgets.style import ERROR_BOX


class SignInForm(QWidget):
    """User name, password, message and a sign-in button; emits the signed-in Actor."""

    sig_signed_in = Signal(object)  # Actor

    def __init__(self, ops: Operations, *, username: str = "", username_editable: bool = True,
                 button_text: str = "", clock: Callable[[], datetime] = utc_now,
                 check: Callable[[Session, str, str, datetime], SignInOutcome] | None = None,
                 password_optional: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self._clock = clock
        self._check = check or (lambda session, name, secret, now: sign_in(session, name, secret, now=now))
        self._password_optional = password_optional
        self._retry_at: datetime | None = None
        self.username = QLineEdit(username)
        self.username.setReadOnly(not username_editable)
        self.username.setObjectName("signInUsername")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("signInPassword")
        self.password.returnPressed.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_BOX)
        self.message.hide()
        self.button = QPushButton(button_text or self.tr("Logga in"))
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        form = QFormLayout()
        form.addRow(self.tr("Användarnamn"), self.username)
        form.addRow(self.tr("Lösenord"), self.password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignRight)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._tick)

    def focus_password(self) -> None:
        (self.password if self.username.text() else self.username).setFocus()

    def submit(self) -> None:
        if not self.button.isEnabled():
            return
        name, secret = self.username.text().strip(), self.password.text()
        if not name or not (secret or self._password_optional):
            self._show(self.tr("Skriv ditt användarnamn och lösenord."))
            return
        self.button.setEnabled(False)
        check, now = self._check, self._clock()
        self._ops.mutate(lambda session: check(session, name, secret, now),
                         success=self._on_outcome, failure=self._on_error)

    def _on_outcome(self, outcome: SignInOutcome) -> None:
        self.password.clear()
        if outcome.actor is not None:
            self.message.hide()
            self.button.setEnabled(True)
            self.sig_signed_in.emit(outcome.actor)
            return
        self._show(outcome.message)
        if outcome.wait > timedelta(0):
            self._retry_at = self._clock() + outcome.wait
            self._countdown.start()
            self._tick()
        else:
            self.button.setEnabled(True)
            self.password.setFocus()

    def _on_error(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self._show(str(error))

    def _tick(self) -> None:
        left = (self._retry_at - self._clock()).total_seconds() if self._retry_at else 0
        if left <= 0:
            self._countdown.stop()
            self._retry_at = None
            self.button.setText(self.tr("Logga in"))
            self.button.setEnabled(True)
            self.password.setFocus()
            return
        self.button.setText(self.tr("Vänta {seconds} s").format(seconds=math.ceil(left)))

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


class SignInDialog(QDialog):
    """The start-up sign-in; `actor` is set when it is accepted."""

    def __init__(self, ops: Operations, *, username: str = "", server: str = "",
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Logga in – Mottagning"))
        name_on_show(self)
        self.setMinimumWidth(420)
        heading = QLabel(self.tr("<h2>Mottagning</h2>Logga in med ditt lösenord för att se "
                                 "och arbeta med ärendena."))
        heading.setWordWrap(True)
        self.form = SignInForm(ops, username=username, clock=clock)
        self.form.sig_signed_in.connect(self._on_signed_in)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.rejected.connect(self.reject)
        # The form's own button sits beside Avbryt; it submits, it does not accept.
        buttons.addButton(self.form.button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.form.button.setDefault(True)  # Return signs in, it never cancels
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        if server:
            where = QLabel(self.tr("Databas: {server}").format(server=server))
            where.setStyleSheet("color: #555;")
            layout.addWidget(where)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.form.focus_password()

    def _on_signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()


def ask_sign_in(database: Database, *, parent: QWidget | None = None) -> Actor | None:
    """Show the sign-in dialog (modal) and return the signed-in user, or None if cancelled."""
    ops = Operations(database, parent_widget=parent)
    try:
        with database.transaction() as session:
            username = username_for_os_account(session, current_os_account()) or ""
        dialog = SignInDialog(ops, username=username,
                              server="" if database.embedded else database.display_name(),
                              parent=parent)
        dialog.exec()
        return dialog.actor
    finally:
        ops.shutdown()


class SwitchUserDialog(QDialog):
    """"Byt användare": another user signs in; `actor` is set when it is accepted. On the
    embedded database a user without a password needs none (the computer account already
    decides who may open the data); whoever has one must give it."""

    def __init__(self, ops: Operations, current: Actor, *, embedded: bool,
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Byt användare – Mottagning"))
        self.setMinimumWidth(420)
        text = self.tr("Du är inloggad som {name}. Logga in som en annan användare; det du har "
                       "öppet stängs och sparade utkast finns kvar.").format(name=current.full_name)
        if embedded:
            text += " " + self.tr("Lösenord behövs för den som har ett.")
        heading = QLabel(text)
        heading.setWordWrap(True)

        def check(session: Session, name: str, secret: str, now: datetime) -> SignInOutcome:
            return switch_user(session, current, name, secret, embedded=embedded, now=now)

        self.form = SignInForm(ops, clock=clock, check=check, password_optional=embedded,
                               button_text=self.tr("Byt användare"))
        self.form.username.setAccessibleName(self.tr("Användarnamn"))
        self.form.password.setAccessibleName(self.tr("Lösenord"))
        self.form.username.returnPressed.connect(self.form.submit)
        self.form.sig_signed_in.connect(self._on_signed_in)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.form.button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.form.username.setFocus()

    def _on_signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()
