"""Starting the GUI: Swedish Qt, the database, the current user, the main window."""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from mottagning.access.auth import os_actor_unless_sign_in
from mottagning.context import Actor
from mottagning.db.database import Database, open_database
from mottagning.errors import DatabaseError, MottagningError
from mottagning.settings import is_demo
from ui.access.idle_lock import install_idle_lock
from ui.access.key_prompts import qt_key_prompts
from ui.access.signin_dialog import ask_sign_in
from ui.main_window import MainWindow
from ui.operations import install_error_hook
from ui.widgets.accessibility import install_focus_frames
from ui.widgets.gc_policy import GuiThreadCollector, freeze_once_loaded


def _tr(text: str) -> str:
    return QCoreApplication.translate("App", text)


def _application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Mottagning")
    app.setApplicationDisplayName("Mottagning")
    install_focus_frames(app)
    swedish = QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)
    QLocale.setDefault(swedish)
    # Qt's own texts (Ja/Nej, Avbryt, the calendar) in Swedish
    translator = QTranslator(app)
    if translator.load(swedish, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    return app


def _start(db_url: str | None) -> tuple[Database, Actor | None, bool]:
    """Open the database and map the OS account in one transaction (nothing partial);
    the actor is None when the user must sign in with a password first."""
    database = open_database(db_url, prompts=qt_key_prompts())
    try:
        with database.transaction() as session:
            actor = os_actor_unless_sign_in(session, shared_server=not database.embedded)
            demo = is_demo(session)
    except BaseException:
        database.dispose()
        raise
    return database, actor, demo


def _fail(title: str, text: str, details: str | None = None) -> int:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    if details:
        box.setDetailedText(details)
    box.exec()
    return 1


class _WindowSession:
    """The main window of whoever works now; "Byt användare" replaces it with one for the
    user who signed in (the new window is shown before the old closes, so the program does
    not quit in between)."""

    def __init__(self, database: Database, demo: bool,
                 collector: GuiThreadCollector | None = None):
        self._database, self._demo, self._collector = database, demo, collector
        self.window: MainWindow | None = None
        self.restore_hook = lambda: None

    def open(self, actor: Actor) -> None:
        previous = self.window
        window = MainWindow(self._database, actor, demo=self._demo)
        install_idle_lock(window)
        window.sig_user_switched.connect(self.open)
        self.restore_hook()
        self.restore_hook = install_error_hook(window.ops.errors)
        self.window = window
        window.show()
        if self._collector is not None:
            freeze_once_loaded(window, self._collector)
        if previous is not None:
            previous.close()
            previous.deleteLater()


def run_app(db_url: str | None) -> int:
    """Run the GUI on `db_url` (None: MOTTAGNING_DB or the embedded database)."""
    app = _application()
    collector = GuiThreadCollector(app)
    try:
        database, actor, demo = _start(db_url)
    except DatabaseError as exc:
        return _fail(_tr("Databasen kan inte öppnas"), str(exc))
    except MottagningError as exc:
        return _fail(_tr("Mottagning kan inte starta"), str(exc))
    except Exception:  # noqa: BLE001 - anything else still gets a Swedish message
        return _fail(
            _tr("Mottagning kan inte starta"),
            _tr("Ett oväntat fel inträffade när programmet startade. Ingenting har ändrats. "
                "Kontakta systemförvaltaren och bifoga detaljerna."),
            traceback.format_exc())
    if actor is None:
        actor = ask_sign_in(database)
        if actor is None:  # sign-in cancelled
            database.dispose()
            return 0
    session = _WindowSession(database, demo, collector)
    session.open(actor)
    try:
        status = app.exec()
    finally:
        session.restore_hook()
    database.dispose()
    return status
