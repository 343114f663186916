"""Who is acting, and what a service changed (for the GUI to refresh from)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mottagning.rules.permissions import Action, allowed, require


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a service runs."""

    user_id: int
    username: str
    full_name: str
    roles: frozenset[str]

    def require(self, action: Action) -> None:
        require(self.roles, action)

    def may(self, action: Action) -> bool:
        return allowed(self.roles, action)


@dataclass(frozen=True)
class Changes:
    """What an operation changed: the GUI refreshes the matching views."""

    queue: bool = False
    item_ids: tuple[int, ...] = field(default=())
    alarms: bool = False
    decisions: bool = False
    letters: bool = False
