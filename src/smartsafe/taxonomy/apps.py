from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from . import cache


class TaxonomyConfig(AppConfig):
    name = "smartsafe.taxonomy"
    label = "taxonomy"
    verbose_name = _("Taxonomy")

    def ready(self):
        # Imported here: models need the app registry, and the cache receivers connect to them.
        from .models import Term

        # Any change to a term, through the admin, an import or a shell, empties this process's cache.
        for model in self.get_models():
            if issubclass(model, Term):
                uid = f"taxonomy_cache_{model.__name__}"
                post_save.connect(cache.clear, sender=model, dispatch_uid=f"{uid}_saved")
                post_delete.connect(cache.clear, sender=model, dispatch_uid=f"{uid}_deleted")
