"""Every write to chats. Each action audits itself in the same transaction, and tells the
browsers (live.py) only after it commits.

A chat's life: waiting → active (a counsellor took it) → ended; or waiting → abandoned when the
child leaves before anyone answered. Taking a chat makes its contact on channel ``web_chat``
(intake), assigned to the counsellor: from then on the chat is a contact like any other, with
the transcript beside it, and it opens or joins a case the same way.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.inbox import live as inbox_live
from smartsafe.intake import actions as intake_actions
from smartsafe.portal import actions as portal_actions
from smartsafe.portal import answers as report_answers
from smartsafe.portal import completeness
from smartsafe.portal import files as portal_files
from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import Channel

from . import hours, live, permissions, queries
from .models import OPEN_STATES, ChatBlock, ChatLanguage, ChatMessage, ChatSession, ChatState, Sender

CHAT_CHANNEL = "web_chat"
# Chat languages → the contact's language (intake keeps Serbian as one language, both scripts).
CONTACT_LANGUAGE = {"sr": "sr", "sr-latn": "sr", "en": "en"}

# System messages are stored as codes; each side's page shows them in its own language.
JOINED, TRANSFERRED, ENDED = "joined", "transferred", "ended"


class ChatRefused(Exception):
    """The chat cannot start: ``reason`` is "blocked" or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _system(session, code: str) -> ChatMessage:
    message = ChatMessage.objects.create(session=session, sender=Sender.SYSTEM, body=code)
    live.to_session(session, message.as_frame())
    return message


@transaction.atomic
def start_chat(
    *, client: str, language: str, urgent: bool = False, via: str = "portal"
) -> tuple[ChatSession, str]:
    """An anonymous child starts a chat. ``client``: ``queries.client_hash`` of their address.
    Returns the session and its secret (which exists only in the child's browser after this)."""
    if queries.is_blocked(client):
        raise ChatRefused("blocked")
    if not hours.is_open():
        raise ChatRefused("closed")
    if language not in ChatLanguage.values:
        language = ChatLanguage.SERBIAN_CYRILLIC
    secret = secrets.token_urlsafe(32)
    session = ChatSession.objects.create(
        secret_hash=queries.secret_hash(secret),
        client_hash=client,
        language=language,
        urgent=bool(urgent),
        via=via if via in ("portal", "embed") else "portal",
    )
    record(codes.CHAT_START, obj=session, language=language, urgent=session.urgent, via=session.via)
    live.queue_changed()
    return session, secret


def post_message(
    *, session: ChatSession, sender: str, text: str, author=None, client_id: str = ""
) -> ChatMessage:
    """Store one message, then deliver it. A repeated ``client_id`` returns the stored message.

    The child writes while waiting and while the chat is in progress; the counsellor only in a
    chat they hold. Raises PermissionDenied otherwise."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("An empty message is not sent."))
    if sender == Sender.CHILD:
        allowed = session.is_open
    elif sender == Sender.COUNSELLOR:
        allowed = author is not None and permissions.can_write_in(author, session)
    else:
        allowed = False
    if not allowed:
        raise PermissionDenied(_("You may not write in this chat."))
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(
                session=session, sender=sender, author=author, body=text[:4000], client_id=client_id
            )
            record(codes.CHAT_MESSAGE, actor=author, obj=session, sender=sender, chars=len(message.body))
    except IntegrityError:
        # A client_id stored already (a resend after a reconnect, or a second connection at the
        # same moment): the message is stored once, and the stored one is the answer. Trying the
        # insert first costs nothing for the messages that are new, which is nearly all of them.
        if not client_id:
            raise
        return ChatMessage.objects.get(session=session, client_id=client_id)
    return message


def mark_read(*, session: ChatSession, reader: str, upto: int) -> int:
    """The ``reader`` side has seen the other side's messages up to id ``upto``. Not audited: a
    read receipt says nothing the transcript does not."""
    other = [Sender.COUNSELLOR, Sender.SYSTEM] if reader == Sender.CHILD else [Sender.CHILD]
    return ChatMessage.objects.filter(
        session=session, sender__in=other, pk__lte=upto, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def take_chat(*, actor, session: ChatSession) -> ChatSession:
    """One click: the counsellor answers the chat. Only one of two counsellors clicking at once
    gets it; the other is told it was taken."""
    if not permissions.can_take_chats(actor):
        raise PermissionDenied(_("Your role may not answer chats."))
    now = timezone.now()
    won = ChatSession.objects.filter(pk=session.pk, state=ChatState.WAITING).update(
        state=ChatState.ACTIVE, counsellor=actor, taken_at=now
    )
    if not won:
        raise ValidationError(_("Someone else has already answered this chat, or it has ended."))
    session.refresh_from_db()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Web chat %(reference)s") % {"reference": session.reference}
    contact, _created = intake_actions.receive_contact(
        channel=taxonomy_cache.by_code(Channel, CHAT_CHANNEL),
        external_id=session.reference,
        urgent=session.urgent,
        subject=subject,
        summary="",
        language=CONTACT_LANGUAGE.get(session.language, "sr"),
        received_at=session.created_at,
    )
    intake_actions.assign_contact(actor=actor, contact=contact, assignee=actor)
    session.contact = contact
    session.save(update_fields=["contact"])
    record(codes.CHAT_TAKE, actor=actor, obj=session, contact=contact.reference)
    _system(session, JOINED)
    live.to_session(session, {"type": "state", "state": session.state})
    live.queue_changed()
    return session


def child_seen(session_id: int) -> None:
    """Stamp that the child's page of an open chat is there (its hello or a ping). Presence only,
    no content and no one's identity, so it is not an audited event."""
    ChatSession.objects.filter(pk=session_id, state__in=OPEN_STATES).update(child_seen_at=timezone.now())


def abandon_unattended(now=None) -> int:
    """End, as abandoned, every waiting chat whose child's page has been silent for
    ``SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES`` (or that never said hello for as long); how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES)
    ended = 0
    for pk in queries.unattended_waiting_ids(cutoff):
        with transaction.atomic():
            # Locked and asked again: the child may have come back, or a counsellor taken it.
            session = queries.lock_if_unattended(pk, cutoff)
            if session is not None:
                end_chat(session=session, by="system")
                ended += 1
    return ended


@transaction.atomic
def end_chat(*, session: ChatSession, actor=None, by: str = "counsellor", block: bool = False) -> ChatSession:
    """End the chat (the child, their counsellor or a supervisor; ``by="system"`` for the
    platform). ``block``: the counsellor also blocks the child's client for
    ``SMARTSAFE_CHAT_BLOCK_HOURS`` (by keyed hash only)."""
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if by == "counsellor" and (actor is None or not permissions.can_end(actor, session)):
        raise PermissionDenied(_("You may not end this chat."))
    if not session.is_open:
        return session  # ended already: a second click (or both sides at once) is not an error
    now = timezone.now()
    session.state = ChatState.ENDED if session.state == ChatState.ACTIVE else ChatState.ABANDONED
    session.ended_at, session.ended_by = now, by
    session.save(update_fields=["state", "ended_at", "ended_by"])
    if session.contact_id:
        contact = session.contact
        contact.ended_at = now
        contact.duration_seconds = int((now - contact.received_at).total_seconds())
        contact.save(update_fields=["ended_at", "duration_seconds"])
    record(codes.CHAT_END, actor=actor, obj=session, by=by, state=session.state)
    if block:
        if actor is None:
            raise PermissionDenied(_("Only a counsellor blocks a chat."))
        ChatBlock.objects.create(
            client_hash=session.client_hash,
            session=session,
            created_by=actor,
            expires_at=now + dt.timedelta(hours=settings.SMARTSAFE_CHAT_BLOCK_HOURS),
        )
        record(codes.CHAT_BLOCK, actor=actor, obj=session, hours=settings.SMARTSAFE_CHAT_BLOCK_HOURS)
    _system(session, ENDED)
    live.to_session(session, {"type": "state", "state": session.state})
    live.queue_changed()
    return session


@transaction.atomic
def transfer_chat(*, actor, session: ChatSession, to) -> ChatSession:
    """Hand the chat (and its contact) to a colleague; the child is told, not who."""
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    if not permissions.can_transfer(actor, session, to):
        raise PermissionDenied(_("You may not hand this chat to that person."))
    before = session.counsellor
    session.counsellor = to
    session.save(update_fields=["counsellor"])
    if session.contact_id:
        contact = session.contact
        contact.assigned_to = to
        contact.save(update_fields=["assigned_to"])
    record(
        codes.CHAT_TRANSFER,
        actor=actor,
        obj=session,
        before=before.get_username() if before else None,
        to=to.get_username(),
    )
    _system(session, TRANSFERRED)
    live.to_session(session, {"type": "state", "state": session.state, "transferred": True})
    inbox_live.send_on_commit(inbox_live.user_group(to.pk), {"type": "chat", "transferred": session.pk})
    live.queue_changed()
    return session


def watch_chat(*, actor, session: ChatSession) -> None:
    """A supervisor starts watching a chat silently. Audited; the child is never told."""
    if not permissions.can_watch(actor, session):
        raise PermissionDenied(_("Only a supervisor may watch a chat."))
    record(
        codes.CHAT_WATCH, actor=actor, obj=session, counsellor=getattr(session.counsellor, "username", None)
    )


def leave_message(*, text: str, language: str, urgent: bool = False, reply_to: str = ""):
    """Outside the centre's hours (or without JavaScript): the message becomes a public report
    through the portal's own intake, with a receipt like any report's."""
    answers = report_answers.build(
        category="other",
        details={"description": text, "in_danger": "yes" if urgent else ""},
        reporter={"reply": "contact" if reply_to else ""},
        language=language,
    )
    return portal_actions.submit_report(answers=answers, via="chat", reporter_contact=reply_to)


class FileNotAccepted(Exception):
    """A file the chat does not take now; the message says why, for the child."""


def send_file(*, session: ChatSession, upload) -> ChatMessage:
    """The child sends a file in the chat: it goes into the evidence vault on the chat's contact,
    with the portal's checks (type, size, the per-contact total) and the category's rule — where
    the chat's topics allow no files (child sexual abuse material), none is kept and the child is
    asked for the web address instead."""
    if session.state != ChatState.ACTIVE or session.contact_id is None:
        raise FileNotAccepted(_("You can send a file once a counsellor has joined the chat."))
    topics = session.contact.topics.values_list("code", flat=True)
    if not all(completeness.allows_files(code) for code in topics):
        raise FileNotAccepted(
            _(
                "Please do not send this picture or video. "
                "Write the web address (link) where you saw it instead."
            )
        )
    from django.db.models import Sum

    already = session.contact.evidence_files.aggregate(total=Sum("size"))["total"] or 0
    try:
        name, data = portal_files.read(upload, already=already)
    except portal_files.FileRefused as refused:
        raise FileNotAccepted(str(refused)) from None
    try:
        with transaction.atomic():
            evidence = portal_files.store(contact=session.contact, name=name, data=data, via="web")
            message = ChatMessage.objects.create(
                session=session, sender=Sender.CHILD, body=name, evidence=evidence
            )
            record(codes.CHAT_MESSAGE, obj=session, sender=Sender.CHILD, chars=0, file=True)
    except EvidenceRejected as exc:
        raise FileNotAccepted(str(exc)) from None
    live.to_session(session, message.as_frame())
    return message
