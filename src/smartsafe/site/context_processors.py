from django.conf import settings
from django.utils import translation

from smartsafe.taxonomy.translation import to_latin


def platform(request):
    name = settings.SMARTSAFE_CENTRE_NAME
    if (translation.get_language() or "").lower() == "sr-latn":
        name = to_latin(name)  # authored in Cyrillic; Latin is derived, never stored twice
    return {
        "CENTRE_NAME": name,
        "HELPLINE": settings.SMARTSAFE_HELPLINE,
        "DEMO": settings.DEMO,
    }
