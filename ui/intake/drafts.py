"""The register form's draft: its kind and the key of a new report's draft (apart from the
form, so the main window knows them without importing the form at start)."""

DRAFT_KIND = "register_report"
DRAFT_KEY = "new"
