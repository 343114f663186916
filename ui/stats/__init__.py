"""The statistics dashboard (seniors and administrators)."""
