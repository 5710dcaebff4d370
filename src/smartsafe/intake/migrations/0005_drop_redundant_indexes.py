"""Drop the single-column indexes on ``state`` and ``received_at``.

The inbox's composite indexes (``contact_recent_order``, ``contact_queue_new`` and the one on
state and time) lead with these columns and answer every query the single ones did; each index
dropped is one write fewer per report, and the planner no longer picks the narrower one with a
sort after it for a queue that has an index in its own order.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0004_inbox_queues'),
    ]

    operations = [
        migrations.AlterField(
            model_name='contact',
            name='received_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='received'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='state',
            field=models.CharField(choices=[('new', 'New'), ('triaged', 'Triaged'), ('linked', 'Linked to a case'), ('closed', 'Closed')], default='new', max_length=16, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='historicalcontact',
            name='received_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='received'),
        ),
        migrations.AlterField(
            model_name='historicalcontact',
            name='state',
            field=models.CharField(choices=[('new', 'New'), ('triaged', 'Triaged'), ('linked', 'Linked to a case'), ('closed', 'Closed')], default='new', max_length=16, verbose_name='state'),
        ),
    ]
