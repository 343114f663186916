"""Mottagning: the Qt-free core of the reception unit's desk application."""

__version__ = "0.1.0"
