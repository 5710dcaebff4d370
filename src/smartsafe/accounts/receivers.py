"""Audit events for logins, logouts, failures, lockouts and two-factor changes.

These are infrastructure signals (Django auth, django-axes, allauth MFA), so receivers are the
right place (docs/architecture.md: signals only for infrastructure). Passwords are never recorded:
Django's ``user_login_failed`` already masks them, and only the attempted username is kept.
"""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from smartsafe.audit import codes
from smartsafe.audit.log import record

from .lockout import username_from_credentials


@receiver(user_logged_in, dispatch_uid="smartsafe.accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    record(codes.AUTH_LOGIN, actor=user, obj=user)


@receiver(user_logged_out, dispatch_uid="smartsafe.accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(codes.AUTH_LOGOUT, actor=user, obj=user)


@receiver(user_login_failed, dispatch_uid="smartsafe.accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Axes' receiver runs first (its app is installed earlier) and marks a locked-out attempt.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    record(
        codes.AUTH_LOGIN_FAILED,
        outcome=codes.OUTCOME_DENIED if locked_out else codes.OUTCOME_FAILED,
        username=username_from_credentials(request, credentials) or "",
        locked_out=locked_out,
    )


@receiver(user_locked_out, dispatch_uid="smartsafe.accounts.audit_locked_out")
def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(codes.AUTH_LOCKED_OUT, outcome=codes.OUTCOME_DENIED, username=(username or "")[:150])


def _audit_authenticator(action):
    def audit(sender, request=None, user=None, authenticator=None, **kwargs):
        record(action, actor=user, obj=user, type=getattr(authenticator, "type", ""))

    return audit


# Module globals: signals hold their receivers by weak reference.
audit_mfa_added = _audit_authenticator(codes.MFA_AUTHENTICATOR_ADDED)
audit_mfa_removed = _audit_authenticator(codes.MFA_AUTHENTICATOR_REMOVED)
audit_mfa_reset = _audit_authenticator(codes.MFA_AUTHENTICATOR_RESET)
authenticator_added.connect(audit_mfa_added, dispatch_uid="smartsafe.accounts.audit_mfa_added")
authenticator_removed.connect(audit_mfa_removed, dispatch_uid="smartsafe.accounts.audit_mfa_removed")
authenticator_reset.connect(audit_mfa_reset, dispatch_uid="smartsafe.accounts.audit_mfa_reset")
