"""Starting the GUI: Swedish Qt, the database, the current user, the main window."""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from mottagning.db import Database, open_database
from mottagning.errors import DatabaseError, MottagningError
from mottagning.services.auth import os_actor_unless_sign_in
from mottagning.services.context import Actor
from mottagning.services.settings import is_demo
from ui.accessibility import install_focus_frames
from ui.gc_policy import GuiThreadCollector, freeze_once_loaded
from ui.idle_lock import install_idle_lock
from ui.key_prompts import qt_key_prompts
from ui.main_window import MainWindow
from ui.signin_dialog import ask_sign_in


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
    window = MainWindow(database, actor, demo=demo)
    install_idle_lock(window)
    window.show()
    freeze_once_loaded(window, collector)
    status = app.exec()
    database.dispose()
    return status
