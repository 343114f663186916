"""Audit anchors and weeding protocols: tables of this area (imported by mottagning.models for Alembic)."""

from __future__ import annotations
