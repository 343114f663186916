"""The loggkontroll page."""
