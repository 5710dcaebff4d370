from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Durable background work on top of django-tasks-db: worker heartbeats, leases, retries."""

    name = "smartsafe.jobs"
    label = "jobs"
    verbose_name = _("Background work")
