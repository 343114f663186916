"""The core's one translation function, for letters and CLI messages.

The core's messages are written in Swedish; `_` is the hook where a catalogue for other
languages plugs in later.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The message for `n` things: Swedish has one form for 1 and another for the rest
    ("1 ny anmälan", "2 nya anmälningar", "0 nya anmälningar")."""
    return singular if n == 1 else plural
