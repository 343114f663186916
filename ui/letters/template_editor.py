"""The template editor for system administrators: edit a letter template's text with a live
preview on fictitious data; an invalid text (an unknown placeholder, say) shows the error
naming it and cannot be saved. Saving stores a new version; issued letters keep theirs.

Unsaved text is autosaved as the administrator's draft of that template (a second after
typing pauses, and on close) and offered back when the template is opened again, after a
crash too; saving the template discards the draft in the same transaction.

A save over a version someone else saved meanwhile (also from a draft begun on an older
version) is refused by the core; the conflict dialog then shows both texts side by side and
the draft stays until the chosen text is saved.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, QTimer
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

from mottagning.access.drafts import SavedDraft, discard_draft, save_draft
from mottagning.context import Actor
from mottagning.errors import ConcurrentEdit
from mottagning.letters.model import LetterKind
from mottagning.letters.profile import (
    check_template_text,
    current_template,
    engine_profile,
    get_profile,
    save_template,
)
from mottagning.letters.render import render_letter
from mottagning.letters.requests import KIND_LABELS
from mottagning.letters.samples import sample_request
from mottagning.letters.templates import TemplateError
from mottagning.timeutil import format_datetime_sv
from ui.operations import Operations
from ui.operations.files import PdfWork
from ui.widgets.autosave import DraftAutosaver, DraftOffer
from ui.widgets.conflict_dialog import Choice, ConflictDialog
from ui.widgets.page_preview import PagePreview, pdf_page_images
from ui.widgets.style import WARNING_BOX
from ui.widgets.window_geometry import fit_window

VALIDATE_MS = 350
DRAFT_KIND = "letter_template"


class TemplateEditor(QDialog):
    def __init__(self, ops: Operations, actor: Actor, *, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops, self._actor = ops, actor
        self.pdf_work = PdfWork(self)
        self.version = 0
        self.profile = None
        self.saved_text = ""  # the stored version's text: only a change from it is a draft
        self.autosave: DraftAutosaver | None = None
        self._draft: SavedDraft | None = None
        self.conflict: ConflictDialog | None = None
        self.setWindowTitle(self.tr("Brevmallar"))
        fit_window(self, "templates", QSize(1300, 860))
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Brevmall"))
        for kind in LetterKind:
            self.kind.addItem(self.tr(KIND_LABELS[kind]), kind)
        self.about = QLabel()
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(self.tr("Mallens text"))
        self.editor.setObjectName("templateText")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(WARNING_BOX)
        self.error.hide()
        self.preview = PagePreview()
        self.offer = DraftOffer(discard_text=self.tr("&Kasta utkastet"))
        self.offer.sig_resume.connect(self._resume)
        self.offer.sig_discard.connect(self._discard)
        self.offer_label = self.offer.label
        self.resume_button, self.discard_button = self.offer.resume_button, self.offer.discard_button
        self.saved_label = QLabel()
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
        left_layout.addWidget(self.offer)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.saved_label)
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
        self.finished.connect(self.deleteLater)
        self.load()

    def current_kind(self) -> LetterKind:
        return LetterKind(self.kind.currentData())

    def _collect(self) -> dict:
        return {"text": self.editor.toPlainText(), "base_version": self.version}

    def _save_draft_now(self) -> None:
        """The last unsaved text into the draft (switching template, closing), without
        callbacks: the editor may be gone when the save finishes."""
        if self.autosave is None or not self.autosave.active:
            return
        self.autosave.stop()
        text = self.editor.toPlainText()
        if text == self.saved_text:
            return
        actor, key, content = self._actor, self.autosave.key, self._collect()
        self._ops.mutate(lambda s: save_draft(s, actor, kind=DRAFT_KIND, key=key, content=content))

    def load(self) -> None:
        self._save_draft_now()
        self.offer.hide()
        self.saved_label.clear()
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
        self.saved_text = info.text
        self.editor.setPlainText(info.text)
        self.save_button.setEnabled(False)
        if self.autosave is not None and self.autosave.key == self.current_kind().value:
            return  # just saved: keep autosaving this template
        if self.autosave is not None:
            self.autosave.deleteLater()
        self.autosave = DraftAutosaver(self._ops, self._actor, kind=DRAFT_KIND, key=self.current_kind().value,
                                       collect=self._collect, parent=self)
        self.autosave.sig_draft_found.connect(self._offer_draft)
        self.autosave.sig_saved.connect(self._draft_saved)
        self.editor.setReadOnly(True)  # until an earlier draft has been dealt with
        self.autosave.sig_ready.connect(lambda: self.editor.setReadOnly(False))
        self.autosave.check()

    def _offer_draft(self, draft: SavedDraft) -> None:
        if draft.content.get("text") == self.saved_text:
            self._discard()  # nothing unsaved in it
            return
        self._draft = draft
        self.offer.offer(self.tr(
            "Det finns ett osparat utkast av mallen från {when}. Vill du fortsätta med det?").format(
            when=format_datetime_sv(draft.saved_at)))

    def _resume(self) -> None:
        assert self._draft is not None and self.autosave is not None
        base = self._draft.content.get("base_version")
        if isinstance(base, int):
            self.version = base  # saved over a newer version, the draft meets the conflict dialog
        self.editor.setPlainText(str(self._draft.content.get("text", "")))
        self.autosave.start()

    def _discard(self) -> None:
        self.offer.hide()  # also when a draft without changes is discarded unseen
        assert self.autosave is not None
        self.autosave.discard()
        self.autosave.start()

    def _draft_saved(self, draft: SavedDraft) -> None:
        self.saved_label.setText(self.tr("Osparade ändringar finns kvar som utkast ({when}).").format(
            when=format_datetime_sv(draft.saved_at)))

    def _edited(self) -> None:
        self.save_button.setEnabled(False)
        self._timer.start()
        if self.autosave is not None and self.editor.toPlainText() != self.saved_text:
            self.autosave.schedule()

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
        expected = self.version
        self.save_button.setEnabled(False)
        if self.autosave is not None:
            self.autosave.stop()

        def save_and_drop_draft(session):  # type: ignore[no-untyped-def]
            info = save_template(session, actor, kind, text, expected_version=expected)
            discard_draft(session, actor, kind=DRAFT_KIND, key=kind.value)
            return info

        self._ops.mutate(save_and_drop_draft, success=self._saved, failure=self._save_failed)

    def _saved(self, info) -> None:  # type: ignore[no-untyped-def]
        self._loaded((info, self.profile))
        self.saved_label.setText(self.tr("Mallen sparad som version {v}.").format(v=info.version))
        if self.autosave is not None:
            self.autosave.start()

    def _save_failed(self, error: BaseException) -> None:
        if self.autosave is not None:
            self.autosave.start()
            self.autosave.save_now()
        if isinstance(error, ConcurrentEdit) and error.has_newer:
            self._show_conflict(error)
            return
        self._ops.errors.show_error(error)

    def _show_conflict(self, error: ConcurrentEdit) -> None:
        who = error.saved_by or self.tr("någon annan")
        # The version line is rewritten on every save: shown as the newer one, it is no difference.
        mine = re.sub(r"(?m)^version\s*=\s*\d+", f"version = {error.version}", self.editor.toPlainText(), count=1)
        self.conflict = ConflictDialog(
            mine=mine, theirs=str(error.theirs), about=str(error),
            theirs_title=self.tr("Version {v}, sparad av {who}").format(v=error.version, who=who),
            parent=self)
        self.conflict.sig_mine_edited.connect(self.editor.setPlainText)
        newer_version, newer_text = int(error.version or 0), str(error.theirs)

        def chosen(result: int) -> None:
            dialog, self.conflict = self.conflict, None
            if dialog is None or result != QDialog.DialogCode.Accepted:
                return  # the draft keeps the user's text
            if dialog.choice is Choice.THEIRS:  # already saved: only the draft goes
                self.version, self.saved_text = newer_version, newer_text
                self.editor.setPlainText(newer_text)
                self.about.setText(self.tr("Version {v}, sparad av {who}").format(v=newer_version, who=who))
                self.saved_label.setText(self.tr("Du använder den nya versionen; ditt utkast är borttaget."))
                if self.autosave is not None:
                    self.autosave.discard()
            else:
                self.version = newer_version
                self.editor.setPlainText(dialog.chosen_text())
                self.save()
            dialog.deleteLater()

        self.conflict.finished.connect(chosen)
        self.conflict.open()

    def done(self, result: int) -> None:  # Qt override: Stäng, Esc and the window's close
        self._save_draft_now()
        super().done(result)
