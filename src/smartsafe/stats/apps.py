from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "smartsafe.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        # Imported here: connecting the roll-up hooks imports models, which need the app registry.
        from . import receivers  # noqa: F401
