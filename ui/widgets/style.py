"""Colours the whole GUI shares, chosen to be told apart also by colour-blind users
(they always come with a text label, never colour alone)."""

from __future__ import annotations

# level -> (background, text) for deadline cells and the urgency column
URGENCY_COLOURS = {
    "danger": ("#b71c1c", "#ffffff"),
    "overdue": ("#f8c9c4", "#7f0000"),
    "soon": ("#ffe08a", "#5d4000"),
}

# flag -> (background, text) for the flag chips
FLAG_COLOURS = {
    "immediate_danger": ("#b71c1c", "#ffffff"),
    "violence": ("#6a1b9a", "#ffffff"),
    "repeat": ("#e65100", "#ffffff"),
    "data_quality": ("#455a64", "#ffffff"),
}

WARNING_BOX = "background: #fff4ce; border: 1px solid #c8a400; border-radius: 4px; padding: 6px;"
ERROR_BOX = "background: #fde7e9; border: 1px solid #b71c1c; border-radius: 4px; padding: 6px;"
DEMO_BANNER = "background: #ff6f00; color: white; font-weight: bold; padding: 4px;"
