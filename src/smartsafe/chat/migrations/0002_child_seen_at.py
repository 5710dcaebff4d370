"""When the child's page of a chat was last heard from: waiting chats it has left are abandoned."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='chatsession',
            name='child_seen_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='child last seen'),
        ),
    ]
