"""The queue: its table model, the detail pane and the actions on the selected item."""
