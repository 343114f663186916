"""The two small dialogs of the sign-off pane: the signature (phrase or password) and the
comment that goes with a returned proposal."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.accessibility import name_on_show


class SignatureDialog(QDialog):
    """Asks for the password, or for the phrase that names the decision being signed."""

    def __init__(self, *, method: str, phrase: str, summary: str, late_notice: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Signera"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(summary, wordWrap=True))
        # A signature after the deadline is never refused, but the signer records why.
        self.overrun_reason: QPlainTextEdit | None = None
        if late_notice is not None:
            layout.addWidget(QLabel(late_notice, wordWrap=True))
            self.overrun_reason = QPlainTextEdit()
            self.overrun_reason.setObjectName("overrunReason")
            self.overrun_reason.setTabChangesFocus(True)
            self.overrun_reason.setFixedHeight(80)
            layout.addWidget(self.overrun_reason)
        self.secret = QLineEdit()
        self.secret.setObjectName("signatureSecret")
        if method == "password":
            prompt = QLabel(self.tr("Ange ditt lösenord för att signera:"))
            self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        else:
            prompt = QLabel(self.tr("Skriv meningen nedan för att signera:\n”{phrase}”").format(phrase=phrase),
                            wordWrap=True)
            self.secret.setPlaceholderText(phrase)
        prompt.setBuddy(self.secret)
        layout.addWidget(prompt)
        layout.addWidget(self.secret)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Signera"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.overrun_reason is not None:
            self.overrun_reason.textChanged.connect(self._update_ok)
            self._update_ok()
        self.resize(520, self.sizeHint().height())
        name_on_show(self)

    def reason_text(self) -> str | None:
        return self.overrun_reason.toPlainText() if self.overrun_reason is not None else None

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool((self.reason_text() or "").strip()))

    def accept(self) -> None:  # Qt override: Return in the phrase field must not skip the reason
        if self.overrun_reason is not None and not (self.reason_text() or "").strip():
            self.overrun_reason.setFocus()
            return
        super().accept()


class ReturnDialog(QDialog):
    """The comment the proposer will read: what to do before proposing again."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Återsänd förslaget"))
        layout = QVBoxLayout(self)
        caption = QLabel(self.tr("Kommentar till den som föreslog beslutet (krävs):"))
        layout.addWidget(caption)
        self.comment = QPlainTextEdit()
        caption.setBuddy(self.comment)
        self.comment.setObjectName("returnComment")
        self.comment.setTabChangesFocus(True)
        layout.addWidget(self.comment)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Återsänd"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(480, 260)
        name_on_show(self)
