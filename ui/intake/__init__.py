"""Intake screens: manual registration, the inbox watcher, alarms and quarantine."""
