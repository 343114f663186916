"""The PySide6 GUI. It calls the services of `mottagning/`, never SQL."""

from ui import pyside_fixes

pyside_fixes.apply()
