"""The core's one translation function, for letters and CLI messages.

The core's messages are written in Swedish; `_` is the hook where a catalogue for other
languages plugs in later.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message
