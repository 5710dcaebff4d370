"""Indexes that keep the inbox fast at a million contacts (docs/inbox.md).

- ``contact_inbox_order``: the inbox's order (urgent first, newest first, id last), on every engine;
- ``contact_search_trgm``: on PostgreSQL only, a trigram GIN index on the folded search column, so
  ``search_text LIKE '%term%'`` (the ``contains`` lookup) reads the index instead of every row.
  SQLite has no such index and keeps scanning, which is fine at the sizes it serves.

The trigram index is not part of the model's state (SQLite could not create it), so it is made
and dropped here by SQL, and only on PostgreSQL. It is built ``CONCURRENTLY`` (so the migration
runs outside a transaction): on a centre with years of contacts the build takes a minute or two,
and new reports keep being written meanwhile. ``pg_trgm`` is a trusted extension: the database's
owner may create it without being a superuser.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEX = "contact_search_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAM_INDEX}"
        " ON intake_contact USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("intake", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["-urgent", "-received_at", "-id"], name="contact_inbox_order"),
        ),
        TrigramExtension(),  # does nothing on other engines
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
