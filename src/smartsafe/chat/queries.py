"""Every read of chats: scope first, then audit (staff reads of a conversation are audited)."""

from __future__ import annotations

import hashlib
import hmac
import statistics

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from smartsafe.accounts.permissions import is_supervisor
from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import permissions
from .models import OPEN_STATES, ChatBlock, ChatMessage, ChatSession, ChatState

#: How many recent chats the expected wait is estimated from.
RECENT_FOR_ESTIMATE = 20


def secret_hash(secret: str) -> str:
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, f"chat-secret:{secret}".encode(), hashlib.sha256).hexdigest()


def client_hash(address: str) -> str:
    """The keyed hash a client is counted and blocked by (never the address itself)."""
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, f"chat-client:{address or 'unknown'}".encode(), hashlib.sha256).hexdigest()


def is_blocked(client: str) -> bool:
    return ChatBlock.objects.filter(client_hash=client, expires_at__gt=timezone.now()).exists()


def child_session(session_id, secret: str) -> ChatSession | None:
    """The child's own chat, by its id and secret; None for anything else."""
    if not secret:
        return None
    try:
        session = ChatSession.objects.get(pk=int(session_id))
    except (ChatSession.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    if not hmac.compare_digest(session.secret_hash, secret_hash(secret)):
        return None
    return session


def waiting():
    """The queue: urgent first, then the longest waiting."""
    return ChatSession.objects.filter(state=ChatState.WAITING).order_by("-urgent", "created_at", "id")


def _unattended(cutoff):
    """Waiting chats whose child's page was last heard from before ``cutoff`` (a chat never heard
    from counts from its start). The platform's own sweep reads them: not audited."""
    silent = Q(child_seen_at__lt=cutoff) | Q(child_seen_at__isnull=True, created_at__lt=cutoff)
    return ChatSession.objects.filter(silent, state=ChatState.WAITING)


def unattended_waiting_ids(cutoff) -> list[int]:
    """The ids of the unattended waiting chats, oldest first (at most 500 a sweep)."""
    return list(_unattended(cutoff).order_by("created_at", "id").values_list("pk", flat=True)[:500])


def lock_if_unattended(pk: int, cutoff) -> ChatSession | None:
    """That chat, locked for update, if it is still waiting unattended; else None."""
    return _unattended(cutoff).select_for_update().filter(pk=pk).first()


def waiting_for(user):
    return waiting() if permissions.can_take_chats(user) else ChatSession.objects.none()


def mine(user):
    return ChatSession.objects.filter(state=ChatState.ACTIVE, counsellor=user).order_by("taken_at")


def watchable(user):
    """Chats in progress with someone else, for a supervisor to watch."""
    if not is_supervisor(user):
        return ChatSession.objects.none()
    return (
        ChatSession.objects.filter(state=ChatState.ACTIVE)
        .exclude(counsellor=user)
        .select_related("counsellor")
        .order_by("taken_at")
    )


def access_chat(user, pk, *, watch: bool = False) -> ChatSession:
    """A chat the user works (or, ``watch``, a supervisor watches); the read is audited."""
    try:
        session = ChatSession.objects.select_related("contact", "counsellor").get(pk=int(pk))
    except (ChatSession.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such chat.") from None
    allowed = (
        permissions.can_watch(user, session)
        if watch
        else (
            permissions.can_take_chats(user)
            and (session.counsellor_id == user.pk or (session.state == ChatState.WAITING))
        )
    )
    if not allowed:
        raise Http404("No such chat.")
    record(codes.CHAT_VIEW, actor=user, obj=session, watch=watch)
    return session


def messages_since(session, since: int = 0, *, limit: int = 500) -> list[ChatMessage]:
    return list(session.messages.filter(pk__gt=since).order_by("id")[:limit])


def transcript(session) -> list[ChatMessage]:
    return list(session.messages.order_by("id"))


def queue_position(session) -> int:
    """1 for the next to be answered; 0 when no longer waiting."""
    if session.state != ChatState.WAITING:
        return 0
    ahead = waiting().filter(
        Q(urgent__gt=session.urgent)
        | Q(urgent=session.urgent, created_at__lt=session.created_at)
        | Q(urgent=session.urgent, created_at=session.created_at, pk__lt=session.pk)
    )
    return ahead.count() + 1


def expected_wait_seconds(position: int) -> int:
    """How long the child at ``position`` should expect to wait.

    The median time to answer of the last chats answered, scaled by the place in the queue and the
    number of counsellors chatting now; ``SMARTSAFE_CHAT_DEFAULT_WAIT_SECONDS`` before there is
    any history."""
    if position <= 0:
        return 0
    recent = list(
        ChatSession.objects.filter(taken_at__isnull=False)
        .order_by("-taken_at")
        .values_list("created_at", "taken_at")[:RECENT_FOR_ESTIMATE]
    )
    per_chat = (
        statistics.median((taken - created).total_seconds() for created, taken in recent)
        if recent
        else settings.SMARTSAFE_CHAT_DEFAULT_WAIT_SECONDS
    )
    counsellors = (
        ChatSession.objects.filter(state__in=OPEN_STATES, counsellor__isnull=False)
        .values("counsellor")
        .distinct()
        .count()
    )
    return max(30, int(per_chat * position / max(1, counsellors)))


def chat_of_contact(user, contact) -> ChatSession | None:
    """The chat a contact was made from, for the contact page (access to the contact was checked)."""
    return ChatSession.objects.filter(contact=contact).first()
