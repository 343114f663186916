"""Which audit actions are reads (they show case content and change nothing)."""

from __future__ import annotations

# Actions that show case content. Areas name their reading actions with one of the
# suffixes, so a new kind of read is counted without being listed here.
READ_ACTIONS = frozenset({"case_opened", "history_read"})
READ_SUFFIXES = ("_read", "_viewed", "_opened", "_previewed", "_listed")


def is_read(action: str) -> bool:
    return action in READ_ACTIONS or action.endswith(READ_SUFFIXES)
