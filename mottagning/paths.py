"""Where the application's own data files live (resources/) and the user's data folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "mottagning"

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """Path of a file under resources/."""
    return RESOURCES.joinpath(*parts)


def user_data_dir() -> Path:
    """The user's data folder (not created here)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
