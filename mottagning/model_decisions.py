"""Decision proposals, signatures and extensions: tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations
