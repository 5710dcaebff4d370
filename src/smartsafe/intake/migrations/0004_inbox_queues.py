"""Indexes of the inbox's queues (intake/queues.py, docs/inbox.md): everything newest first; the
new ones by urgency and waiting time.

Built ``CONCURRENTLY`` on PostgreSQL (a centre with years of contacts keeps taking reports while it
migrates), so the migration runs outside a transaction; other engines build them as usual.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyWherePossible(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("intake", "0003_generated_titles")]

    operations = [
        AddIndexConcurrentlyWherePossible(
            model_name="contact",
            index=models.Index(fields=["-received_at", "-id"], name="contact_recent_order"),
        ),
        AddIndexConcurrentlyWherePossible(
            model_name="contact",
            index=models.Index(fields=["state", "-urgent", "received_at", "id"], name="contact_queue_new"),
        ),
    ]
