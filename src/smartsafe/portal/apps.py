from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "smartsafe.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # Imported here: intake.facts imports models, which need the app registry.
        from smartsafe.intake import facts

        # Imported here: portal's queries import models, which need the app registry.
        from . import queries

        # A case opened from a web report starts with what the report holds (intake/facts.py).
        facts.register(queries.case_facts)
