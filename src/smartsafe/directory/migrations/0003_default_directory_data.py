"""Every database gets the shipped directory: INSPIRE strategies/approaches/services, platforms,
the country's national institutions and the 2019 INSPIRE organisations (docs/directory.md).

Idempotent (upserts by code/slug), so it is also what ``manage.py load_directory`` runs. The
country is the taxonomy's (``SMARTSAFE_COUNTRY``, default ``rs``); it runs after the taxonomy's
municipalities are loaded, so institutions and organisations are linked to them.
"""

from django.db import migrations


def load(apps, schema_editor):
    from smartsafe.directory.loaders import load_country
    from smartsafe.taxonomy.loading import default_country

    load_country(default_country(), apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_institution_directory_and_inspire"),
        ("taxonomy", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
