"""Text from case data or file names made safe to print on a terminal, a page or a screen.

A name or file name may hold ESC, CR or LF: printed raw they move the cursor, recolour the
screen or forge a line of output (a fake queue row). Every command that prints such text
passes it through `printable`; single-line values on a letter or in a GUI list go through
`one_line` instead.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from typing import TextIO

# Bidirectional overrides reorder what is shown without being control characters.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def printable(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\n`, `\\u202e`)."""
    if text.isprintable():
        return text
    return "".join(_escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if ch.isprintable() and ch not in _BIDI_CONTROLS:
        return ch
    if unicodedata.category(ch) in ("Zs",):  # a no-break or other space is harmless
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def one_line(text: str) -> str:
    """`text` for one printed line (a name on a letter, a cell in a list): every control or
    bidirectional-override character becomes a space."""
    if text.isprintable():
        return text
    return "".join(ch if _escaped(ch) == ch else " " for ch in text)


def progress_bar(stream: TextIO, *, width: int = 30) -> Callable[[int, int, str], None]:
    """A `progress(done, total, label)` that draws one updating line on a terminal (and a
    line per call elsewhere, so a log shows how far it came)."""
    started = time.monotonic()
    terminal = stream.isatty()

    def show(done: int, total: int, label: str) -> None:
        share = done / total if total else 1.0
        filled = int(width * share)
        elapsed = time.monotonic() - started
        left = elapsed / share - elapsed if share else 0.0
        count = f"{done:,}/{total:,}".replace(",", "\u00a0")
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {count} {label}, "
                f"{elapsed:.0f} s, ungefär {left:.0f} s kvar")
        stream.write(("\r" + line) if terminal else line + "\n")
        if terminal and done >= total:
            stream.write("\n")
        stream.flush()

    return show
