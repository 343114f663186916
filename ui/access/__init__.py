"""Screens of sign-in, the idle lock and the database key."""
