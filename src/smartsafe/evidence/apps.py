from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "smartsafe.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        # Imported here: the master key check registers itself once the app registry is ready.
        from . import checks  # noqa: F401
