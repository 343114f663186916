"""Entry point of the `mottagning` command: the CLI, and the GUI when no command is given.

Qt is imported only when the GUI starts, so CLI commands run on a server without it.
"""

from __future__ import annotations

import argparse
import sys

from mottagning import cli


def _start_gui(args: argparse.Namespace) -> int:
    from ui.app import run_app

    return run_app(db_url=args.db, smoke_test=args.smoke_test)


def main() -> int:
    return cli.main(sys.argv[1:], start_gui=_start_gui)


if __name__ == "__main__":
    sys.exit(main())
