"""The decision after the förhandsbedömning: proposals, delegation, sign-off, extensions."""
