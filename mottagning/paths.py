"""Where the application's own data files live (mottagning/resources/, installed with the
package) and the user's data folder."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import platformdirs

APP_NAME = "mottagning"

# Package data: found the same way in a source checkout, a wheel and a PyInstaller folder.
RESOURCES = Path(str(files("mottagning") / "resources"))


def resource(*parts: str) -> Path:
    """Path of a file under resources/."""
    return RESOURCES.joinpath(*parts)


def user_data_dir() -> Path:
    """The user's data folder (not created here)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
