"""Who may do what with chats. Plain functions; queries.py scopes the rows."""

from __future__ import annotations

from django.conf import settings

from smartsafe.accounts.middleware import has_totp
from smartsafe.accounts.permissions import is_casework, is_supervisor

from .models import ChatState


def _second_factor(user) -> bool:
    if not getattr(settings, "SMARTSAFE_REQUIRE_MFA", True):
        return True
    return has_totp(user)


def can_take_chats(user) -> bool:
    """Counsellors and supervisors answer chats (with their second factor where it is required)."""
    return is_casework(user) and _second_factor(user)


def can_write_in(user, session) -> bool:
    """Only the counsellor the chat is with writes in it, while it is in progress."""
    return can_take_chats(user) and session.state == ChatState.ACTIVE and session.counsellor_id == user.pk


def can_watch(user, session) -> bool:
    """A supervisor may watch any open chat without the child seeing them (audited)."""
    return is_supervisor(user) and _second_factor(user) and session.is_open


def can_see_live(user, session) -> bool:
    return (
        can_write_in(user, session)
        or can_watch(user, session)
        or (can_take_chats(user) and session.counsellor_id == user.pk)
    )


def can_transfer(user, session, to) -> bool:
    if session.state != ChatState.ACTIVE or to is None or to.pk == session.counsellor_id:
        return False
    if not can_take_chats(to):
        return False
    return session.counsellor_id == user.pk and can_take_chats(user) or is_supervisor(user)


def can_end(user, session) -> bool:
    return session.is_open and (
        (session.counsellor_id == user.pk and can_take_chats(user)) or is_supervisor(user)
    )
