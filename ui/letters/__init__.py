"""Letter screens: the letter dialog, the item's letters, the print queue, templates, profile."""
