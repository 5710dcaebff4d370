"""Live web chat: a session between an anonymous child and a counsellor, and its messages.

A message is a row before it is anything else: the consumer stores it, then tells the channel
layer. A browser that reconnects (a web process restarted, a train went into a tunnel) asks for
every message after the last id it saw, so nothing is lost between the two.

The child is known only by the session's secret (kept in their browser tab, stored here as a
hash) and by a keyed hash of their address (for rate limits and blocks, never the address).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartsafe.core.models import StorableTextModel


class ChatState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")
    # Ended by the child (or they left) before anyone took it: counted, no contact.
    ABANDONED = "abandoned", _("Left before an answer")


OPEN_STATES = (ChatState.WAITING, ChatState.ACTIVE)


class ChatLanguage(models.TextChoices):
    SERBIAN_CYRILLIC = "sr", _("Serbian (Cyrillic)")
    SERBIAN_LATIN = "sr-latn", _("Serbian (Latin)")
    ENGLISH = "en", _("English")


class ChatSession(models.Model):
    secret_hash = models.CharField(max_length=64, unique=True)
    client_hash = models.CharField(max_length=64, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=ChatLanguage.choices, default="sr")
    state = models.CharField(
        _("state"), max_length=16, choices=ChatState.choices, default=ChatState.WAITING, db_index=True
    )
    urgent = models.BooleanField(_("child in immediate danger"), default=False)
    # Where the chat was opened: "portal" or "embed" (a partner's site), nothing more of it.
    via = models.CharField(max_length=8, default="portal")
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(max_length=16, blank=True)  # "child", "counsellor", "system"
    # When the child's page last showed it was open (its hello and its pings, about once a
    # minute): a waiting chat whose page has gone quiet is abandoned (chat/tasks.py).
    child_seen_at = models.DateTimeField(_("child last seen"), null=True, blank=True)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("counsellor"),
    )
    # The transcript's contact on channel "web_chat", made when a counsellor takes the chat.
    contact = models.OneToOneField(
        "intake.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chat",
        verbose_name=_("contact"),
    )

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-urgent", "created_at", "id"]
        indexes = [models.Index(fields=["state", "-urgent", "created_at", "id"], name="chat_queue_order")]

    def __str__(self) -> str:
        return f"C-{self.pk}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Sender(models.TextChoices):
    CHILD = "child", _("Child")
    COUNSELLOR = "counsellor", _("Counsellor")
    SYSTEM = "system", _("System")


class ChatMessage(StorableTextModel):
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=16, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    # The browser's own id for the message, so a resend after a lost answer is stored once.
    client_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the other side's browser showed it.
    read_at = models.DateTimeField(null=True, blank=True)
    # A file the child sent, kept in the evidence vault on the chat's contact.
    evidence = models.ForeignKey(
        "evidence.EvidenceFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client_id"], condition=~models.Q(client_id=""), name="chat_message_once"
            )
        ]

    def as_frame(self) -> dict:
        return {
            "type": "message",
            "id": self.pk,
            "sender": self.sender,
            "text": self.body,
            "at": self.created_at.isoformat(),
            "client_id": self.client_id,
            "read": self.read_at is not None,
            "file": self.evidence_id is not None,
        }


class ChatBlock(models.Model):
    """A client a counsellor blocked: by keyed hash only, for a limited time."""

    client_hash = models.CharField(max_length=64, db_index=True)
    session = models.ForeignKey(ChatSession, on_delete=models.SET_NULL, null=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("chat block")
        verbose_name_plural = _("chat blocks")

    def __str__(self) -> str:
        return f"block {self.pk} until {self.expires_at:%Y-%m-%d %H:%M}"
