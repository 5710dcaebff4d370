"""The default routing rules and deadline policies (``referrals/data/defaults.json``)."""

from django.db import migrations


def load(apps, schema_editor):
    from smartsafe.referrals.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("directory", "0003_default_directory_data"),
        ("taxonomy", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
