"""Domain rules: deadlines, status transitions, personnummer, permissions."""
