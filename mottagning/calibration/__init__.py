"""Calibration (issue 17): vignettes as data, rounds answered in training mode, agreement
between workers (Krippendorff's α), the review meeting and feedback to the form's owner.

Training answers are kept in their own tables and never touch a case: see `rounds`.
"""
