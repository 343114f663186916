"""The queue: listing by urgency, opening an item, a child's history, assignment."""
