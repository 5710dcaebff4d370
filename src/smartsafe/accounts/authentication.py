"""``Authorization: Token <key>`` for the API, with personal tokens (``ApiToken``).

Contract:
- no ``Authorization`` header, or another scheme (``Basic``…): not ours, the next class decides;
- ``Token`` with a missing, extra or unreadable key, an unknown or revoked key, or a key of a
  deactivated account: 401 with a message that says which, recorded as ``auth.token_rejected``
  (the key is never recorded; for a known token its prefix is);
- outside demo mode (``SMARTSAFE_REQUIRE_MFA``), a key of an account without a second factor:
  401 (``mfa_missing``): a token must not be the way around two-factor authentication;
- a client that failed too often (``token_throttle``): 429 with ``Retry-After`` for every token
  request until its window ends, before the key is even looked up;
- a good key: the request runs as the token's owner; ``last_used_at`` is written at most once a
  minute per token, so busy scripts do not cost a write per request.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import token_throttle
from .middleware import has_totp
from .models import ApiToken

KEYWORD = "Token"
MAX_KEY_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        wait = token_throttle.wait_seconds(request)
        if wait is not None:
            raise exceptions.Throttled(
                wait=wait,
                detail=_("Too many failed token attempts from this client; try again in %(seconds)d seconds.")
                % {"seconds": wait},
            )
        if len(header) != 2:
            self._reject(request, "malformed", _("Invalid token header: give exactly one key after “Token”."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            self._reject(
                request, "malformed", _("Invalid token header: the key contains invalid characters.")
            )
        if len(key) > MAX_KEY_LENGTH:
            self._reject(request, "malformed", _("Invalid token header: the key is too long."))
        return self.authenticate_key(request, key)

    def authenticate_key(self, request, key: str):
        token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        if token is None:
            self._reject(request, "unknown", _("Invalid token: no such key."))
        if token.revoked_at is not None:
            self._reject(request, "revoked", _("This token has been revoked."), token=token)
        if not token.user.is_active:
            self._reject(
                request, "user_inactive", _("The account this token belongs to is deactivated."), token=token
            )
        if getattr(settings, "SMARTSAFE_REQUIRE_MFA", True) and not has_totp(token.user):
            self._reject(
                request,
                "mfa_missing",
                _(
                    "The account this token belongs to has no second factor; tokens work only for "
                    "accounts with two-factor authentication set up."
                ),
                token=token,
            )
        self._touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) with a challenge when credentials are missing or wrong.
        return self.keyword

    @staticmethod
    def _touch(token: ApiToken) -> None:
        now = timezone.now()
        # A conditional UPDATE: concurrent requests cannot write twice within the minute.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
            token.last_used_at = now

    @staticmethod
    def _reject(request, reason: str, message, token: ApiToken | None = None):
        failures = token_throttle.count_failure(request)
        details = {"reason": reason, "path": request.path[:200], "client_failures": failures}
        if token is not None:
            record(
                codes.AUTH_TOKEN_REJECTED,
                actor=None,
                obj=token,
                outcome=codes.OUTCOME_DENIED,
                owner=token.user.get_username(),
                prefix=token.prefix,
                **details,
            )
        else:
            record(codes.AUTH_TOKEN_REJECTED, outcome=codes.OUTCOME_DENIED, **details)
        raise exceptions.AuthenticationFailed(message)
