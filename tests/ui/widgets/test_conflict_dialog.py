"""The shared conflict dialog: the user's text and the newer saved one side by side, the
differing lines marked on both sides, and each choice gives the text to save."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.widgets.conflict_dialog import Choice, ConflictDialog, changed_lines

MINE = "Hej,\nvi kallar er till möte.\nMed vänliga hälsningar"
THEIRS = "Hej,\nvi bjuder in er till ett möte.\nMed vänliga hälsningar"


def dialog(qtbot: QtBot, **kwargs) -> ConflictDialog:  # type: ignore[no-untyped-def]
    shown = ConflictDialog(mine=MINE, theirs=THEIRS, about="Någon annan har sparat.", **kwargs)
    qtbot.addWidget(shown)
    return shown


def test_only_the_differing_lines_are_marked_on_each_side() -> None:
    assert changed_lines(MINE, THEIRS) == ({1}, {1})
    assert changed_lines("a\nb", "a\nb\nc") == (set(), {2})


def test_both_texts_show_and_only_the_users_text_can_be_edited(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    assert shown.mine.toPlainText() == MINE and not shown.mine.isReadOnly()
    assert shown.theirs.toPlainText() == THEIRS and shown.theirs.isReadOnly()
    assert len(shown.mine.extraSelections()) == 1 and len(shown.theirs.extraSelections()) == 1
    assert shown.keep_button.text() == "Behåll min text" and shown.use_button.text() == "Använd den nya"


def test_keeping_my_text_after_merging_gives_the_merged_text(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    edits: list[str] = []
    shown.sig_mine_edited.connect(edits.append)
    shown.mine.setPlainText(THEIRS)  # the user merged the newer wording in
    assert shown.mine.extraSelections() == [] and edits == [THEIRS]
    shown.keep_button.click()
    assert shown.choice is Choice.MINE and shown.chosen_text() == THEIRS
    assert shown.result() == ConflictDialog.DialogCode.Accepted


def test_using_the_new_text_gives_the_newer_one_and_cancel_chooses_nothing(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    shown.use_button.click()
    assert shown.choice is Choice.THEIRS and shown.chosen_text() == THEIRS
    cancelled = dialog(qtbot)
    cancelled.cancel_button.click()
    assert cancelled.choice is None and cancelled.result() == ConflictDialog.DialogCode.Rejected


def test_a_choice_between_values_does_not_offer_merging(qtbot: QtBot) -> None:
    shown = dialog(qtbot, mergeable=False)
    assert shown.mine.isReadOnly() and shown.theirs.isReadOnly()
