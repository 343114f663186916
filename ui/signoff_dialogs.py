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

from ui.accessibility import name_on_show


class SignatureDialog(QDialog):
    """Asks for the password, or for the phrase that names the decision being signed."""

    def __init__(self, *, method: str, phrase: str, summary: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Signera"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(summary, wordWrap=True))
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
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Signera"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Avbryt"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
        name_on_show(self)


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
