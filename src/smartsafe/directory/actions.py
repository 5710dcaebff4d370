"""Writes to the directory, each with its audit event in the same transaction.

Imports are all-or-nothing per file unless ``skip_invalid`` (see ``loaders``); a dry run validates
and counts inside a transaction that is rolled back, so it reports exactly what a real run would.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import loaders
from .csv_import import import_institutions_csv
from .models import Institution, Organisation
from .permissions import can_manage_directory


class _DryRun(Exception):
    def __init__(self, report):
        self.report = report


def _run(kind: str, name: str, work, *, actor=None, dry_run: bool = False) -> loaders.Report:
    try:
        with transaction.atomic():
            report = work()
            if dry_run:
                raise _DryRun(report)
            if report.written:
                record(
                    codes.DIRECTORY_IMPORT,
                    actor=actor,
                    object_type="directory." + kind,
                    object_label=name[:200],
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    invalid=report.invalid,
                )
            return report
    except _DryRun as stop:
        stop.report.written = False
        return stop.report


def import_organisations(path: Path, *, actor=None, country: str = "RS", skip_invalid=False, dry_run=False):
    """``manage.py import_organisations``: upsert organisations from a JSON file by slug."""
    document = loaders.read_json(path)
    work = lambda: loaders.load_organisations(document, country=country, skip_invalid=skip_invalid)  # noqa: E731
    return _run("organisation", Path(path).name, work, actor=actor, dry_run=dry_run)


def import_institutions(path: Path, *, actor=None, country: str = "RS", skip_invalid=False, dry_run=False):
    """``manage.py import_institutions``: upsert institutions from a CSV file by code."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise loaders.ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    work = lambda: import_institutions_csv(data, country=country, skip_invalid=skip_invalid)  # noqa: E731
    return _run("institution", Path(path).name, work, actor=actor, dry_run=dry_run)


def load_default_data(country: str, *, actor=None, dry_run=False):
    """``manage.py load_directory``: the shipped data again (after editing the files, or once the
    municipalities are loaded)."""
    return _run(
        "defaults",
        f"data/{country.lower()}",
        lambda: loaders.load_country(country),
        actor=actor,
        dry_run=dry_run,
    )


@transaction.atomic
def organisation_saved_in_admin(*, actor, organisation: Organisation, created: bool) -> None:
    """An administrator saved ``organisation`` in the Django admin: save it once more, so the
    folded place column includes the municipalities (saved only after the row), and audit it."""
    organisation.save(update_fields=["updated_at"])
    record(
        codes.DIRECTORY_UPDATE,
        actor=actor,
        obj=organisation,
        change="admin_create" if created else "admin_edit",
    )


@transaction.atomic
def make_referrable(*, actor, organisation: Organisation, email: str = "") -> Institution:
    """Give ``organisation`` an institution entry of kind NGO, so cases can be referred to it.

    Idempotent: an organisation already referrable keeps its institution.
    """
    if not can_manage_directory(actor):
        raise PermissionDenied(_("Only administrators change the directory."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.institution_id:
        return organisation.institution
    code = f"ngo-{organisation.slug}"[:60]
    institution, _created = Institution.objects.get_or_create(
        code=code,
        defaults={
            "kind": Institution.Kind.NGO,
            "level": Institution.Level.MUNICIPALITY if organisation.towns else Institution.Level.NATIONAL,
            "name_sr": organisation.name_local or organisation.name,
            "name_en": organisation.name,
            "country": organisation.country,
            "website": organisation.website,
            "email": email,
            "municipality": organisation.municipalities.first() if organisation.towns else None,
            "source": _("Organisation directory: %(slug)s") % {"slug": organisation.slug},
        },
    )
    if institution.level == Institution.Level.MUNICIPALITY and institution.municipality_id is None:
        # A town that is not a known municipality: national reach is the honest fallback.
        Institution.objects.filter(pk=institution.pk).update(level=Institution.Level.NATIONAL)
        institution.level = Institution.Level.NATIONAL
    organisation.institution = institution
    organisation.save(update_fields=["institution", "updated_at"])
    record(
        codes.DIRECTORY_UPDATE,
        actor=actor,
        obj=organisation,
        change="made_referrable",
        institution=institution.code,
    )
    return institution
