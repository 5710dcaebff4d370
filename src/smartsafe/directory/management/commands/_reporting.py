"""Shared output of the directory's import commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from smartsafe.directory.loaders import Report


def finish(command, report: Report, *, dry_run: bool) -> None:
    """Print the report; fail (exit status 1) when any row was invalid, so scripts notice."""
    for warning in report.warnings:
        command.stdout.write(command.style.WARNING(f"warning: {warning}"))
    for problem in report.errors:
        command.stderr.write(f"invalid {problem}")
    prefix = "Dry run (nothing saved): " if dry_run else ""
    command.stdout.write(prefix + report.summary())
    if report.errors:
        written = " Valid rows were saved (--skip-invalid)." if report.written else " Nothing was saved."
        raise CommandError(f"{report.invalid} invalid row(s).{written}")
