"""Letters in the main window: the Brev menu (new letter for the current item, templates,
municipality profile), the item's letters in the detail pane and the utskriftskö page, each
shown only to the roles that may use it."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from mottagning.rules.permissions import Action, allowed
from ui.letters.dialog import LetterDialog
from ui.letters.history import LettersHistory
from ui.letters.print_queue import PrintQueuePage
from ui.letters.profile_form import ProfileForm
from ui.letters.template_editor import TemplateEditor


class Letters(QObject):
    def __init__(self, window) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self._window = window
        self.dialog: LetterDialog | None = None
        self.print_queue: PrintQueuePage | None = None
        roles = window.actor.roles
        menu = window.menu(self.tr("&Brev"))
        if allowed(roles, Action.WRITE_LETTER):
            self.new_letter_action = QAction(self.tr("Nytt &brev i valt ärende…"), window)
            self.new_letter_action.setShortcut(QKeySequence("Ctrl+3"))
            self.new_letter_action.triggered.connect(self.open_letter_dialog)
            menu.addAction(self.new_letter_action)
        # the item's letters in the detail pane, for those who may read them
        self.history: LettersHistory | None = None
        if allowed(roles, Action.READ_CASE) or allowed(roles, Action.PRINT_LETTER):
            self.history = LettersHistory(window)
        if allowed(roles, Action.PRINT_LETTER):
            self.print_queue = PrintQueuePage(window.ops, window.actor)
            window.add_page(self.tr("Utskriftskö"), self.print_queue)
        if allowed(roles, Action.MANAGE_SETTINGS):
            menu.addSeparator()
            templates = menu.addAction(self.tr("Brev&mallar…"))
            templates.triggered.connect(
                lambda: TemplateEditor(window.ops, window.actor, parent=window).open())
            profile = menu.addAction(self.tr("&Kommunprofil…"))
            profile.triggered.connect(lambda: ProfileForm(window.ops, window.actor, parent=window).open())

    def open_letter_dialog(self, item_id: int | None = None) -> LetterDialog | None:
        """The letter dialog for `item_id` (default: the item selected in the queue)."""
        item_id = item_id or self._window.selected_item_id()
        if item_id is None:
            self._window.statusBar().showMessage(self.tr("Välj först ett ärende i kön."), 8000)
            return None
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = LetterDialog(self._window.ops, self._window.actor, item_id, parent=self._window)
        self.dialog.open()
        return self.dialog


def install(window) -> Letters:  # type: ignore[no-untyped-def]
    return Letters(window)
