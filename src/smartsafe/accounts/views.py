"""The profile page: who you are, your two-factor status, and your personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import actions, mfa_freshness, queries
from .forms import ApiTokenForm


def _add_errors(form, error: ValidationError) -> None:
    """Put an action's errors next to the field they name, the rest at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _profile(request, *, form=None, new_key=None, new_token=None, status=200):
    context = {
        "form": form or ApiTokenForm(),
        "tokens": queries.tokens_of(request.user),
        "new_key": new_key,
        "new_token": new_token,
        **queries.profile_facts(request.user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@login_required
def profile(request):
    return _profile(request)


@never_cache
@login_required
@require_POST
def token_create(request):
    if mfa_freshness.mfa_required_for_tokens(request.user) and not mfa_freshness.recently_passed_mfa(request):
        # A token works without the second factor, so making one needs a code entered just now.
        messages.warning(
            request,
            _("Confirm with a code from your authenticator app first, then create the token again."),
        )
        url = reverse("mfa_reauthenticate") + "?" + urlencode({"next": reverse("accounts:profile")})
        return redirect(url)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, form=form, status=400)
    try:
        token, key = actions.create_api_token(
            actor=request.user, user=request.user, name=form.cleaned_data["name"]
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _profile(request, form=form, status=400)
    # The key is rendered in this one response and never stored: no redirect, no session, no cache.
    return _profile(request, new_key=key, new_token=token)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int):
    token = queries.own_token(request.user, pk)
    if request.method == "GET":
        return render(request, "accounts/token_revoke.html", {"token": token})
    if token.revoked_at is not None:
        messages.info(request, _("This token was already revoked."))
        return redirect("accounts:profile")
    actions.revoke_api_token(actor=request.user, token=token)
    messages.success(
        request, _("The token “%(name)s” is revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("accounts:profile")
