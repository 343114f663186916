"""Issued letters and the municipality profile: tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations
