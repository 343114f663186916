"""The template editor autosaves unsaved text as the administrator's draft and offers it
back when the editor is opened again (after a crash, too); saving drops the draft."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from mottagning.letters.model import LetterKind
from mottagning.letters.profile import current_template
from mottagning.models import Draft
from tests.ui.conftest import WAIT_MS
from ui.letters.template_editor import DRAFT_KIND, TemplateEditor


def drafts(database):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return [(d.kind, d.key, d.content["text"]) for d in session.scalars(select(Draft))]


@pytest.fixture
def host(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    """The editor's parent, as the main window is in the application (the editor deletes
    itself when closed)."""
    window = QWidget()
    qtbot.addWidget(window)
    return window


def opened_editor(ops, admin, qtbot, host) -> TemplateEditor:  # type: ignore[no-untyped-def]
    editor = TemplateEditor(ops, admin, parent=host)
    editor.open()
    qtbot.waitUntil(lambda: editor.autosave is not None and (editor.autosave.active or editor.offer.isVisible()),
                    timeout=WAIT_MS)
    return editor


def test_typed_template_text_survives_a_crash_and_is_offered_back(database, admin, ops, qtbot, host) -> None:
    editor = opened_editor(ops, admin, qtbot, host)
    kind = editor.current_kind().value
    editor.editor.setPlainText(editor.editor.toPlainText().replace("Med vänliga hälsningar", "Vänliga hälsningar"))
    typed = editor.editor.toPlainText()
    with qtbot.waitSignal(editor.autosave.sig_saved, timeout=WAIT_MS):
        pass  # the debounced autosave, about a second after typing stops
    assert drafts(database) == [(DRAFT_KIND, kind, typed)]

    # the program dies: the editor is never closed properly; a new one is opened
    again = opened_editor(ops, admin, qtbot, host)
    qtbot.waitUntil(again.offer.isVisible, timeout=WAIT_MS)
    assert again.editor.isReadOnly()  # nothing typed over the draft before the choice
    again.resume_button.click()
    assert again.editor.toPlainText() == typed and not again.editor.isReadOnly()

    qtbot.waitUntil(again.save_button.isEnabled, timeout=WAIT_MS)
    again.save_button.click()
    qtbot.waitUntil(lambda: ops.idle and "version 2" in again.saved_label.text(), timeout=WAIT_MS)
    assert drafts(database) == []
    with database.transaction() as session:
        stored = current_template(session, LetterKind(kind))[1].text
    assert 'closing = "Vänliga hälsningar"' in stored and "version = 2" in stored


def test_closing_with_unsaved_text_keeps_it_as_a_draft(database, admin, ops, qtbot, host) -> None:
    editor = opened_editor(ops, admin, qtbot, host)
    kind = editor.current_kind().value
    editor.editor.appendPlainText("# ändrat just före stängning")
    typed = editor.editor.toPlainText()
    editor.reject()  # before the debounced autosave: closing saves it
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert drafts(database) == [(DRAFT_KIND, kind, typed)]
