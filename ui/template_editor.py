"""The template editor for system administrators: edit a letter template's text with a live
preview on fictitious data; an invalid text (an unknown placeholder, say) shows the error
naming it and cannot be saved. Saving stores a new version; issued letters keep theirs.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mottagning.letters.model import LetterKind
from mottagning.letters.render import render_letter
from mottagning.letters.samples import sample_request
from mottagning.letters.templates import TemplateError
from mottagning.services.context import Actor
from mottagning.services.letter_requests import KIND_LABELS
from mottagning.services.letter_settings import (
    check_template_text,
    current_template,
    engine_profile,
    get_profile,
    save_template,
)
from mottagning.timeutil import format_datetime_sv
from ui.letters_preview import PagePreview, PdfWork, pdf_page_images
from ui.operations import Operations
from ui.style import WARNING_BOX

VALIDATE_MS = 350


class TemplateEditor(QDialog):
    def __init__(self, ops: Operations, actor: Actor, *, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor = ops, actor
        self.pdf_work = PdfWork(self)
        self.version = 0
        self.profile = None
        self.setWindowTitle(self.tr("Brevmallar"))
        self.resize(1300, 860)
        self.kind = QComboBox()
        for kind in LetterKind:
            self.kind.addItem(self.tr(KIND_LABELS[kind]), kind)
        self.about = QLabel()
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("templateText")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(WARNING_BOX)
        self.error.hide()
        self.preview = PagePreview()
        self.save_button = QPushButton(self.tr("Spara som ny version"))
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Mall")))
        top.addWidget(self.kind)
        top.addWidget(self.about, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.error)
        hint = QLabel(self.tr("Förhandsgranskningen använder påhittade uppgifter och är märkt DEMO."))
        hint.setWordWrap(True)
        font = QFont(hint.font())
        font.setItalic(True)
        hint.setFont(font)
        left_layout.addWidget(hint)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([640, 660])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(buttons)

        self._timer = QTimer(self, singleShot=True, interval=VALIDATE_MS)
        self._timer.timeout.connect(self.validate)
        self.editor.textChanged.connect(self._edited)
        self.kind.currentIndexChanged.connect(self.load)
        self.load()

    def current_kind(self) -> LetterKind:
        return LetterKind(self.kind.currentData())

    def load(self) -> None:
        kind = self.current_kind()

        def read(session):  # type: ignore[no-untyped-def]
            _template, info = current_template(session, kind)
            return info, engine_profile(get_profile(session))

        self._ops.query(read, success=self._loaded)

    def _loaded(self, result) -> None:  # type: ignore[no-untyped-def]
        info, self.profile = result
        self.version = info.version
        if info.created_by:
            self.about.setText(self.tr("Version {v}, sparad {when} av {who}").format(
                v=info.version, when=format_datetime_sv(info.created_at), who=info.created_by))
        else:
            self.about.setText(self.tr("Version {v} (levererad med programmet)").format(v=info.version))
        self.editor.setPlainText(info.text)
        self.save_button.setEnabled(False)

    def _edited(self) -> None:
        self.save_button.setEnabled(False)
        self._timer.start()

    def validate(self) -> bool:
        """Check the text as typed; show the error or redraw the preview."""
        kind, text = self.current_kind(), self.editor.toPlainText()
        try:
            template, _text = check_template_text(kind, text, version=self.version + 1)
        except TemplateError as error:
            self.error.setText(str(error))
            self.error.show()
            return False
        self.error.hide()
        self.save_button.setEnabled(self.profile is not None)
        profile = self.profile
        if profile is not None:
            self.pdf_work.run(lambda: pdf_page_images(render_letter(sample_request(kind), profile, template).pdf),
                              success=self.preview.show_pages,
                              failure=lambda error: self.preview.show_message(str(error)))
        return True

    def save(self) -> None:
        if not self.validate():
            return
        actor, kind, text = self._actor, self.current_kind(), self.editor.toPlainText()
        self.save_button.setEnabled(False)
        self._ops.mutate(lambda s: save_template(s, actor, kind, text), success=self._saved)

    def _saved(self, info) -> None:  # type: ignore[no-untyped-def]
        self._loaded((info, self.profile))
