"""Two administrators edit the same letter template: the second save meets the conflict
dialog with both texts, each choice saves correctly, and the draft survives until then."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select

from mottagning.letters.model import LetterKind
from mottagning.letters.profile import current_template, save_template
from mottagning.models import Draft
from mottagning.rules.permissions import Role
from tests.conftest import make_user
from tests.ui.conftest import WAIT_MS
from ui.letters.template_editor import TemplateEditor

OLD, MINE, THEIRS = "Med vänliga hälsningar", "Vänliga hälsningar från oss", "Hälsningar"


def draft_texts(database) -> list[str]:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return [d.content["text"] for d in session.scalars(select(Draft))]


def stored(database, kind: LetterKind):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return current_template(session, kind)[1]


@pytest.fixture
def host(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    window = QWidget()  # the editor's parent, as the main window is (the editor deletes itself)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def conflicted(database, admin, ops, qtbot, host) -> TemplateEditor:  # type: ignore[no-untyped-def]
    """The editor open on version 1 with the user's change typed, while another administrator
    saved version 2; the user presses save."""
    editor = TemplateEditor(ops, admin, parent=host)
    editor.open()
    qtbot.waitUntil(lambda: editor.autosave is not None and editor.autosave.active, timeout=WAIT_MS)
    kind = editor.current_kind()
    other = make_user(database, "olle", [Role.ADMIN])
    with database.transaction() as session:
        text = current_template(session, kind)[1].text
        save_template(session, other, kind, text.replace(OLD, THEIRS), expected_version=editor.version)
    editor.editor.setPlainText(editor.editor.toPlainText().replace(OLD, MINE))
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=WAIT_MS)
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.conflict is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.idle and len(draft_texts(database)) == 1, timeout=WAIT_MS)
    return editor


def test_the_conflict_shows_both_texts_and_keeps_the_draft(database, conflicted, ops) -> None:
    dialog = conflicted.conflict
    assert dialog is not None and dialog.isVisible()
    assert MINE in dialog.mine.toPlainText() and THEIRS in dialog.theirs.toPlainText()
    assert [len(lines) for lines in dialog.differing_lines()] == [1, 1]  # the closing, not the version line
    assert "Olle Testsson" in dialog.findChild(QLabel, "conflictAbout").text()
    assert "version 2" in dialog.findChild(QLabel, "conflictTheirsTitle").text().lower()
    assert stored(database, conflicted.current_kind()).version == 2  # theirs stands
    [draft] = draft_texts(database)
    assert MINE in draft  # nothing typed is lost while the user decides
    dialog.cancel_button.click()
    assert conflicted.conflict is None and MINE in conflicted.editor.toPlainText()
    assert draft_texts(database) == [draft]


def test_keeping_my_text_saves_it_over_the_newer_version_and_drops_the_draft(
    database, conflicted, ops, qtbot
) -> None:
    dialog = conflicted.conflict
    assert dialog is not None
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: ops.idle and "version 3" in conflicted.saved_label.text(), timeout=WAIT_MS)
    newest = stored(database, conflicted.current_kind())
    assert newest.version == 3 and MINE in newest.text and THEIRS + '"' not in newest.text
    assert draft_texts(database) == []


def test_a_merge_typed_in_the_dialog_is_what_is_saved(database, conflicted, ops, qtbot) -> None:
    dialog = conflicted.conflict
    assert dialog is not None
    merged = dialog.mine.toPlainText().replace(MINE, "Vänliga hälsningar, Mottagningen")
    dialog.mine.setPlainText(merged)
    assert conflicted.editor.toPlainText() == merged  # the merge is autosaved with the draft
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: ops.idle and "version 3" in conflicted.saved_label.text(), timeout=WAIT_MS)
    assert "Vänliga hälsningar, Mottagningen" in stored(database, conflicted.current_kind()).text


def test_using_the_new_text_keeps_the_other_version_and_drops_the_draft(
    database, conflicted, ops, qtbot
) -> None:
    dialog = conflicted.conflict
    assert dialog is not None
    dialog.use_button.click()
    qtbot.waitUntil(lambda: ops.idle and draft_texts(database) == [], timeout=WAIT_MS)
    newest = stored(database, conflicted.current_kind())
    assert newest.version == 2 and conflicted.editor.toPlainText() == newest.text
    assert conflicted.version == 2
