from django.db import migrations


def load_starter_articles(apps, schema_editor):
    """Every new centre starts with a few published articles (``advice/starter.py``).

    Existing articles with the same address are left alone; reversing leaves the rows (staff may
    already have edited them).
    """
    from smartsafe.advice.starter import load

    load(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0001_initial"),
        ("taxonomy", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load_starter_articles, migrations.RunPython.noop)]
