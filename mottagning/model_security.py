"""Sign-in: password state and failed attempts: tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations
