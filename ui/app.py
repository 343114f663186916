"""Starting the GUI: Swedish Qt, the database, the current user, the main window."""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from mottagning.access.auth import os_actor_unless_sign_in
from mottagning.context import Actor
from mottagning.db.database import Database, open_database
from mottagning.db.keys import KeyPrompts, cli_prompts
from mottagning.errors import DatabaseError, MottagningError
from mottagning.paths import resource
from mottagning.settings import is_demo
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
    app.setWindowIcon(QIcon(str(resource("icons", "mottagning.svg"))))
    install_focus_frames(app)
    swedish = QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)
    QLocale.setDefault(swedish)
    # Qt's own texts (Ja/Nej, Avbryt, the calendar) in Swedish
    translator = QTranslator(app)
    if translator.load(swedish, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    return app


def _key_dialogs() -> KeyPrompts:
    """The key dialogs (ui.access.key_prompts), imported only when a key must be asked
    for or shown: the desk whose key is in the keyring never sees them."""
    def dialogs() -> KeyPrompts:
        from ui.access.key_prompts import qt_key_prompts

        return qt_key_prompts()

    return KeyPrompts(
        ask_key=lambda file, message: dialogs().ask_key(file, message),
        show_recovery_key=lambda file, key, message: dialogs().show_recovery_key(file, key, message),
        notify=lambda message: dialogs().notify(message))


def _start(db_url: str | None, *, smoke_test: bool = False) -> tuple[Database, Actor | None, bool]:
    """Open the database and map the OS account in one transaction (nothing partial);
    the actor is None when the user must sign in with a password first. A smoke test runs
    from a terminal, headless: it asks for keys there (or fails), never in a dialog."""
    prompts = cli_prompts() if smoke_test else _key_dialogs()
    database = open_database(db_url, prompts=prompts)
    try:
        with database.transaction() as session:
            actor = os_actor_unless_sign_in(session, shared_server=not database.embedded)
            demo = is_demo(session)
    except BaseException:
        database.dispose()
        raise
    return database, actor, demo


# How long --smoke-test lets the window work (its first page loads) before it quits.
SMOKE_TEST_MS = 2000


def _fail(title: str, text: str, details: str | None = None, *, smoke_test: bool = False) -> int:
    if smoke_test:  # nobody is there to close a dialog
        print(f"{title}: {text}", file=sys.stderr)
        if details:
            print(details, file=sys.stderr)
        return 1
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
        # the idle lock (and its sign-in form) comes with the other areas, after the
        # queue's first page: nobody walks away within that second
        window.sig_started.connect(self._install_idle_lock)
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

    def _install_idle_lock(self) -> None:
        """On the current window (a window closed before it started never says so)."""
        from ui.access.idle_lock import install_idle_lock

        if self.window is not None:
            install_idle_lock(self.window)


def _quit_after_smoke_test(app: QApplication, session: _WindowSession) -> None:
    def finish() -> None:
        window = session.window
        shown = window is not None and window.isVisible()
        print(_tr("Provstart: fönstret visades.") if shown
              else _tr("Provstart: fönstret visades inte."), file=sys.stdout if shown else sys.stderr)
        if window is not None:
            window.close()  # the way a user quits: its worker threads stop first
        app.exit(0 if shown else 1)

    QTimer.singleShot(SMOKE_TEST_MS, finish)


def run_app(db_url: str | None, *, smoke_test: bool = False) -> int:
    """Run the GUI on `db_url` (None: MOTTAGNING_DB or the embedded database).

    `smoke_test` (after an installation, headless with QT_QPA_PLATFORM=offscreen): open the
    window as usual, quit after SMOKE_TEST_MS; errors go to stderr instead of a dialog and
    the exit status says whether the window was shown."""
    app = _application()
    collector = GuiThreadCollector(app)
    try:
        database, actor, demo = _start(db_url, smoke_test=smoke_test)
    except DatabaseError as exc:
        return _fail(_tr("Databasen kan inte öppnas"), str(exc), smoke_test=smoke_test)
    except MottagningError as exc:
        return _fail(_tr("Mottagning kan inte starta"), str(exc), smoke_test=smoke_test)
    except Exception:  # noqa: BLE001 - anything else still gets a Swedish message
        return _fail(
            _tr("Mottagning kan inte starta"),
            _tr("Ett oväntat fel inträffade när programmet startade. Ingenting har ändrats. "
                "Kontakta systemförvaltaren och bifoga detaljerna."),
            traceback.format_exc(), smoke_test=smoke_test)
    if actor is None:
        if smoke_test:
            database.dispose()
            return _fail(_tr("Mottagning kan inte starta"),
                         _tr("Provstarten kräver en användare utan lösenord."), smoke_test=True)
        from ui.access.signin_dialog import ask_sign_in

        actor = ask_sign_in(database)
        if actor is None:  # sign-in cancelled
            database.dispose()
            return 0
    session = _WindowSession(database, demo, collector)
    session.open(actor)
    if smoke_test:
        _quit_after_smoke_test(app, session)
    try:
        status = app.exec()
    finally:
        session.restore_hook()
    database.dispose()
    return status
