"""MFA is mandatory for every account when ``SMARTSAFE_REQUIRE_MFA`` is on (production).

Password plus TOTP is enforced at login by allauth's MFA stage for anyone who has an authenticator.
This middleware closes the other gap: an account without one yet. Such a person, once logged in,
can reach only the pages that let them set it up (allauth's MFA and reauthentication views),
log out, or switch the language; everything else sends them to the authenticator setup with a
message saying why. API requests get a 403 in JSON instead of a redirect.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

# URL names reachable without an authenticator: the setup pages and the way out.
ALLOWED_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "mfa_authenticate",
        "account_reauthenticate",
        "account_logout",
        "set_language",
    }
)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # process_view runs after URL resolution, so the check is by URL name, not by path prefix.
        if not getattr(settings, "SMARTSAFE_REQUIRE_MFA", True):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in ALLOWED_URL_NAMES:
            return None
        if has_totp(user):
            return None
        return self._refuse(request)

    @staticmethod
    def _refuse(request):
        message = _(
            "Two-factor authentication is required for every account. Set up an authenticator app "
            "to continue: scan the code below with it, then enter the 6-digit code it shows."
        )
        setup_url = reverse("mfa_activate_totp")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "setup_url": setup_url}, status=403)
        messages.warning(request, message)
        response = HttpResponseRedirect(setup_url)
        if getattr(request, "htmx", False):
            # An htmx request would swap the setup page into a fragment; send the whole page there.
            response["HX-Redirect"] = setup_url
        return response
