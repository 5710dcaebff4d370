"""The staff site as a whole: what composes every app and so sits above them (docs/architecture.md).

The staff home page (each role's dashboard), the navigation that asks each app's permissions
which entries to show (``templatetags/ui.py``), and backup and restore of the whole platform —
database, evidence ciphertext and audit chain together.
"""
