"""The PySide6 GUI. It calls the services of `mottagning/`, never SQL."""
