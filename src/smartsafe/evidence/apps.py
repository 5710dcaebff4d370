from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "smartsafe.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        # Imported here: importing checks registers the master key check; ready() is the app's start-up hook.
        from . import checks  # noqa: F401
