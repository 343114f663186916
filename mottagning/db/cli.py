"""Commands `mottagning db upgrade`, `mottagning db password`, `mottagning backup` and
`mottagning restore`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from mottagning.cli_support import current_actor, open_db
from mottagning.errors import MottagningError


def _cmd_backup(args: argparse.Namespace) -> int:
    from mottagning.db.backup import backup_database

    database = open_db(args)
    try:
        actor = current_actor(database)
        result = backup_database(database, actor, Path(args.file))
    finally:
        database.dispose()
    print(f"Säkerhetskopian är sparad i {result.file} ({result.rows} rader, "
          f"{result.audit_events} logghändelser). Den är krypterad med databasens nyckel: "
          "återställningsnyckeln öppnar den. Förvara den på en annan plats än datorn.")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from mottagning.db.backup import restore_database
    from mottagning.db.keys import cli_prompts

    key_text = _read_stdin_line("nyckeln") if args.key_stdin else None
    result = restore_database(
        Path(args.file), args.target or args.db, key_text=key_text, prompts=cli_prompts(),
        allow_broken_audit=args.tillat_bruten_logg,
    )
    name = result.database.display_name()
    result.database.dispose()
    if result.audit.ok:
        print(f"Säkerhetskopian är återställd till {name} ({result.rows} rader). "
              f"Granskningsloggen är hel: {result.audit.events_checked} händelser kontrollerade.")
        return 0
    print(f"Säkerhetskopian är återställd till {name} ({result.rows} rader), men "
          f"granskningsloggen är INTE hel: händelse {result.audit.first_broken_id}: "
          f"{result.audit.problem}. Det är antecknat i loggen.", file=sys.stderr)
    return 1


def _cmd_db_password(args: argparse.Namespace) -> int:
    from mottagning.db.database import is_embedded, resolve_url
    from mottagning.db.keys import store_pg_password

    url = make_url(resolve_url(args.db))
    if is_embedded(url.render_as_string(hide_password=False)):
        raise MottagningError(
            "Den inbyggda databasen har inget lösenord (den är krypterad med en nyckel i "
            "nyckelringen). Ange serverns adress med --db postgresql://användare@server/databas."
        )
    if args.password_stdin:
        password = _read_stdin_line("lösenordet")
    else:
        if not sys.stdin.isatty():
            raise MottagningError("Ingen terminal att fråga i: använd --password-stdin.")
        password = getpass.getpass(f"Lösenord för {url.render_as_string(hide_password=True)}: ")
    if not password:
        raise MottagningError("Inget lösenord angavs; ingenting sparades.")
    account = store_pg_password(url, password)
    print(f"Lösenordet för {account} är sparat i nyckelringen.")
    return 0


def _read_stdin_line(what: str) -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise MottagningError(f"Inget av {what} kom på standard in.")
    return line


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    database = open_db(args, migrate=True)
    print(f"Databasen är uppdaterad till senaste strukturen ({database.current_revision()}).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="databasens struktur")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="KOMMANDO")
    db_sub.add_parser("upgrade", help="migrera databasen till senaste strukturen").set_defaults(
        func=_cmd_db_upgrade
    )

    backup = sub.add_parser(
        "backup", help="säkerhetskopiera den inbyggda databasen (medan programmet används)")
    backup.add_argument("file", metavar="FIL", help="ny fil för säkerhetskopian")
    backup.set_defaults(func=_cmd_backup)

    restore = sub.add_parser("restore", help="återställ en säkerhetskopia till en ny databas")
    restore.add_argument("file", metavar="FIL", help="säkerhetskopian")
    # Its own --db so that `restore FIL --db URL` reads naturally; the global one works too.
    restore.add_argument("--db", dest="target", metavar="URL",
                         help="den nya (tomma) databasen att återställa till")
    restore.add_argument("--key-stdin", action="store_true",
                         help="läs säkerhetskopians nyckel (återställningsnyckeln) från standard in")
    restore.add_argument("--tillat-bruten-logg", action="store_true",
                         help="återställ även om granskningsloggen inte är hel (antecknas)")
    restore.set_defaults(func=_cmd_restore)

    password = db_sub.add_parser(
        "password", help="spara PostgreSQL-lösenordet i nyckelringen")
    password.add_argument("--password-stdin", action="store_true",
                          help="läs lösenordet från standard in")
    password.set_defaults(func=_cmd_db_password)
