"""The public site's identity and the receipt a reporter keeps.

- ``theme``: the centre's colours (settings, checked at start) as a small stylesheet of CSS custom
  properties, so the strict CSP (no inline styles) stays as it is;
- ``receipt_download``: the reference and the secret as a text file to keep. The secret is never
  stored: the receipt page posts back what it shows, and this answers it as a download.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from . import tokens


@require_GET
@cache_control(public=True, max_age=3600)
def theme(request):
    css = (
        ":root {"
        f" --brand: {settings.SMARTSAFE_PORTAL_COLOUR};"
        f" --brand-ink: {settings.SMARTSAFE_PORTAL_COLOUR_TEXT};"
        " }\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_POST
def receipt_download(request):
    reference = tokens.normalize_reference(request.POST.get("reference", ""))
    secret = tokens.format_secret(request.POST.get("secret", ""))
    if not reference or not secret:
        return HttpResponseBadRequest(_("This is not a receipt."), content_type="text/plain; charset=utf-8")
    from django.urls import reverse

    lines = [
        settings.SMARTSAFE_CENTRE_NAME,
        "",
        _("Your report was received on %(date)s.") % {"date": timezone.localdate().isoformat()},
        "",
        f"{_('Reference code')}: {reference}",
        f"{_('Secret code')}: {secret}",
        "",
        _("Keep the secret code private. You need both codes to check your report or add to it:"),
        request.build_absolute_uri(reverse("portal:check")),
        "",
        _("Free helpline: %(number)s") % {"number": settings.SMARTSAFE_HELPLINE},
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reference}.txt"'
    response["Cache-Control"] = "no-store"
    return response
