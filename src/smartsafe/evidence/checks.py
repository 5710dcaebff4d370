"""Start-up check: outside demo mode the vault must have a master key, and it must be readable."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@register("smartsafe")
def evidence_key_configured(app_configs=None, **kwargs):
    if settings.DEMO and not (settings.SMARTSAFE_EVIDENCE_KEY or settings.SMARTSAFE_EVIDENCE_KEY_FILE):
        return []  # demo mode generates a key on first use
    try:
        crypto.keyring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See docs/evidence.md, 'Keys'.", id="evidence.E001")]
    return []
