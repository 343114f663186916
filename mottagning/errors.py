"""Errors the core raises for a person to read: their message is Swedish and says what to do."""

from __future__ import annotations


class MottagningError(Exception):
    """Base class: `str(error)` is a complete Swedish message for the user."""


class DatabaseError(MottagningError):
    """The database cannot be opened, reached or migrated."""


class PermissionDenied(MottagningError):
    """The current user lacks the role for an action."""


class InvalidTransition(MottagningError):
    """A status change that the work flow does not allow."""


class ValidationError(MottagningError):
    """Input that cannot be saved as given; `problems` lists each problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class NotFound(MottagningError):
    """A record that does not exist (or no longer exists)."""


class ConcurrentEdit(MottagningError):
    """Someone else changed the record since it was read.

    When the service can tell, `theirs` is the newer saved content (the same shape the
    caller saved: a text, a value) and `version` its version, so the screen can show the
    user's text and the newer one side by side and save again over `version`; `saved_by`
    names who saved it, when known. Nothing of the refused save was stored.
    """

    def __init__(self, message: str, *, theirs: object = None, version: int | None = None,
                 saved_by: str | None = None):
        super().__init__(message)
        self.theirs = theirs
        self.version = version
        self.saved_by = saved_by

    @property
    def has_newer(self) -> bool:
        """The newer content came with the refusal (a side-by-side choice is possible)."""
        return self.version is not None


class ConnectionLost(DatabaseError):
    """The database server cannot be reached (a restart, the network); the program
    reconnects by itself."""
