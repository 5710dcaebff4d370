"""Writes on accounts: personal API tokens. Each write records its audit event in the same
transaction; the key itself never reaches the database or the audit log (only its SHA-256 and its
first characters, the prefix, which is what people see to tell tokens apart)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record

from .middleware import has_totp
from .models import ApiToken
from .permissions import can_manage_tokens_of

MAX_ACTIVE_TOKENS = 20


def create_api_token(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its key; the key cannot be recovered later.

    ``actor`` is None for a management command run by an operator (recorded as the system).
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script or tool that uses it.")})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long (at most 100 characters).")})
    if actor is not None and not can_manage_tokens_of(actor, user):
        raise PermissionDenied(_("You may not create tokens for this account."))
    if not user.is_active:
        raise ValidationError(_("This account is deactivated; it cannot have API tokens."))
    if getattr(settings, "SMARTSAFE_REQUIRE_MFA", True) and not has_totp(user):
        # It would be refused at every request (authentication.py); say so now.
        raise ValidationError(
            _("This account has no second factor yet; set up two-factor authentication before making tokens.")
        )
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("This account already has %(count)d active tokens. Revoke one you no longer use first.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    key = ApiToken.generate_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[: ApiToken.PREFIX_LENGTH], key_hash=ApiToken.hash_key(key)
        )
        record(codes.TOKEN_CREATE, actor=actor, obj=token, owner=user.get_username(), prefix=token.prefix)
    return token, key


def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    """Revoke ``token`` at once; revoking an already revoked token changes nothing and records nothing."""
    if actor is not None and not can_manage_tokens_of(actor, token.user):
        raise PermissionDenied(_("You may not revoke this token."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(
            codes.TOKEN_REVOKE,
            actor=actor,
            obj=locked,
            owner=locked.user.get_username(),
            prefix=locked.prefix,
        )
    token.revoked_at = locked.revoked_at
    return locked
