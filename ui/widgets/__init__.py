"""Shared widgets: autosave, chips, page preview, colours, the GC policy."""
