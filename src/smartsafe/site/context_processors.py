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
        "PORTAL_LOGO": _logo(),
    }


def _logo() -> str:
    """The centre's logo for the public site: a URL as configured, a static path, or the neutral mark."""
    from django.templatetags.static import static

    logo = getattr(settings, "SMARTSAFE_PORTAL_LOGO", "")
    if logo.startswith(("https://", "http://", "/")):
        return logo
    return static(logo or "portal/logo.svg")
