"""Permission-checked reads for the profile page."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.http import Http404

from .models import ApiToken
from .permissions import is_liaison
from .roles import CASEWORK_ROLES


def tokens_of(user):
    """The person's own tokens, active first, newest first. Never the keys (only hashes exist)."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def own_token(user, pk) -> ApiToken:
    """One of ``user``'s own tokens; another person's token is indistinguishable from a missing one."""
    token = ApiToken.objects.select_related("user").filter(pk=pk, user=user).first()
    if token is None:
        raise Http404
    return token


def mfa_status(user) -> dict:
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return {
        "totp": Authenticator.Type.TOTP in types,
        "recovery_codes": Authenticator.Type.RECOVERY_CODES in types,
    }


def profile_facts(user) -> dict:
    """What the profile page says of the person. A liaison's institution is the directory's
    record, read through the relation the directory app puts on the user (accounts, below it,
    imports nothing of it)."""
    membership = getattr(user, "institution_membership", None) if is_liaison(user) else None
    return {"institution": membership.institution if membership else None, "mfa": mfa_status(user)}


def caseworkers():
    """Active counsellors and supervisors, by user name: whom work can be assigned or handed to."""
    return get_user_model().objects.filter(role__in=CASEWORK_ROLES, is_active=True).order_by("username")
