"""Channels into the centre and the messages that travel on them (docs/channels-email.md).

A ``ChannelAccount`` is one configured inbox: a mailbox, a Viber bot, a Telegram bot, a Meta page,
a phone exchange. Each message received on it is an ``InboundMessage`` attached to a contact
(intake): a conversation on one channel is one contact, and the contact carries it to a case.
Replies written by counsellors are ``OutboundMessage`` rows with their delivery status.

The public's addresses (``from_address``, ``to_address``) are personal data: stored so that a
counsellor can answer, shown only to casework roles (``permissions.can_see_addresses``).
"""

from __future__ import annotations

import secrets as _random

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartsafe.core.models import StorableTextModel
from smartsafe.intake.models import ContactLanguage

from . import secrets


class ChannelKind(models.TextChoices):
    """Each kind has one adapter module (channels/) and the taxonomy channel of the same code."""

    EMAIL = "email", _("E-mail")
    VIBER = "viber", _("Viber")
    TELEGRAM = "telegram", _("Telegram")
    MESSENGER = "messenger", _("Facebook Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Phone line")


def new_webhook_token() -> str:
    return _random.token_urlsafe(24)


class ChannelAccount(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.ForeignKey("taxonomy.Channel", on_delete=models.PROTECT, verbose_name=_("channel"))
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    # Encrypted JSON of the account's secrets (secrets.py). Write-only: never rendered anywhere.
    secrets_sealed = models.TextField(blank=True, editable=False)
    # The unguessable part of this account's webhook URL.
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Where the adapter left off (IMAP: UIDVALIDITY and the last UID imported).
    cursor = models.JSONField(default=dict, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def set_secrets(self, **values: str) -> None:
        """Replace the given secrets (others are kept); empty values remove a secret."""
        current = secrets.unseal(self.secrets_sealed) if self.secrets_sealed else {}
        for name, value in values.items():
            if value:
                current[name] = value
            else:
                current.pop(name, None)
        self.secrets_sealed = secrets.seal(current)

    def secret(self, name: str = "secret") -> str:
        return secrets.unseal(self.secrets_sealed).get(name, "")

    @property
    def has_secrets(self) -> bool:
        return bool(self.secrets_sealed)

    def setting(self, name: str, default=None):
        value = (self.settings or {}).get(name)
        return default if value in (None, "") else value


class Automatic(models.TextChoices):
    """Why a message was written by a machine. Such messages are kept but never answered."""

    NO = "", _("Written by a person")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Delivery failure report")
    LOOP = "loop", _("Our own message came back")
    BULK = "bulk", _("Bulk or list mail")


class InboundMessage(StorableTextModel):
    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="inbound")
    # Null only for automatic messages that belong to no conversation (a bounce of nothing we sent).
    contact = models.ForeignKey(
        "intake.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_messages"
    )
    # Idempotency key: the normalised Message-ID, or a hash of the raw message when it has none.
    provider_id = models.CharField(max_length=300)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    headers = models.JSONField(default=dict, blank=True)  # Message-ID, In-Reply-To, References, Date …
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    reply_to = models.CharField(_("reply to"), max_length=320, blank=True)  # where answers go
    to_addresses = models.TextField(_("to"), blank=True)
    sender_hash = models.CharField(max_length=64, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    text_body = models.TextField(_("text"), blank=True)
    html_body = models.TextField(_("HTML (sanitised)"), blank=True)
    # [{"name", "size", "content_type", "inline", "evidence_id"} | {..., "rejected": reason}]
    attachments = models.JSONField(default=list, blank=True)
    # Forwarded messages inside this one: [{"from", "to", "subject", "date", "message_id", "text"}]
    forwarded = models.JSONField(default=list, blank=True)
    automatic = models.CharField(_("automatic"), max_length=16, choices=Automatic.choices, blank=True)
    # A case reference named in the subject whose case did not take the message (see threading.py).
    case_reference = models.CharField(max_length=40, blank=True)
    parse_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "provider_id"], name="inbound_unique_provider_id"),
        ]

    def __str__(self) -> str:
        return f"inbound {self.pk}"

    @property
    def direction(self) -> str:
        return "in"

    @property
    def rejected_attachments(self) -> list[dict]:
        return [a for a in self.attachments or [] if a.get("rejected")]


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class OutboundMessage(models.Model):
    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="outbound")
    contact = models.ForeignKey("intake.Contact", on_delete=models.PROTECT, related_name="outbound_messages")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="outbound_messages"
    )
    in_reply_to = models.ForeignKey(
        InboundMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    message_id = models.CharField(max_length=300, unique=True)
    headers = models.JSONField(default=dict, blank=True)
    from_address = models.CharField(_("from"), max_length=320)
    to_address = models.CharField(_("to"), max_length=320)
    subject = models.CharField(_("subject"), max_length=500)
    text_body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"outbound {self.pk}"

    @property
    def direction(self) -> str:
        return "out"

    @property
    def received_at(self):
        """For sorting a thread: an outbound message sits where it was written."""
        return self.created_at


class CannedReply(models.Model):
    """A reply text counsellors start from, in the language of the conversation."""

    language = models.CharField(_("language"), max_length=8, choices=ContactLanguage.choices, default="sr")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


# --- the phone line (telephony.py, docs/telephony.md) ----------------------------------------------


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("In progress")
    COMPLETED = "completed", _("Completed")
    MISSED = "missed", _("Missed")
    ABANDONED = "abandoned", _("Abandoned")


class Call(models.Model):
    """One call to the helpline as the exchange reported it, keyed by the exchange's call id.

    The caller's number is never stored: only a keyed hash of it (to recognise the caller again)
    and its last three digits (to tell calls apart on the call-back list).
    """

    call_id = models.CharField(_("call id"), max_length=128, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CallState.choices, default=CallState.RINGING, db_index=True
    )
    caller_hash = models.CharField(max_length=64, blank=True, db_index=True)
    caller_hint = models.CharField(_("caller"), max_length=8, blank=True)
    line = models.CharField(_("number called"), max_length=32, blank=True)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_calls",
        verbose_name=_("answered by"),
    )
    started_at = models.DateTimeField(_("rang at"), db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("talk time (seconds)"), null=True, blank=True)
    hangup_reason = models.CharField(_("hang-up reason"), max_length=20, blank=True)
    # The contact a counsellor logged for this call (intake:new?call=…).
    contact = models.ForeignKey(
        "intake.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("contact"),
    )
    callback_attempts = models.PositiveSmallIntegerField(_("call-back attempts"), default=0)
    callback_done_at = models.DateTimeField(_("called back"), null=True, blank=True)
    callback_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called back by"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["state", "callback_done_at"], name="call_callback_idx")]

    def __str__(self) -> str:
        return f"call {self.call_id}"

    @property
    def is_over(self) -> bool:
        return self.state in (CallState.COMPLETED, CallState.MISSED, CallState.ABANDONED)


class ContactOpened(models.Model):
    """The first time someone who works contacts opened one: the unified inbox's unread state."""

    contact = models.OneToOneField(
        "intake.Contact", on_delete=models.CASCADE, primary_key=True, related_name="first_opened"
    )
    first_opened_at = models.DateTimeField(_("first opened"), default=timezone.now)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first opened by"),
    )

    class Meta:
        verbose_name = _("opened contact")
        verbose_name_plural = _("opened contacts")

    def __str__(self) -> str:
        return f"opened {self.contact_id}"


class WebhookDelivery(models.Model):
    """A verified messenger webhook body, kept encrypted until its messages are stored.

    The webhook view writes this row and queues its id in one transaction, and answers the
    provider only after that commit: the task queue never holds a child's words, and a delivery
    the provider was told "ok" about exists until ``messenger.process_delivery`` has stored every
    message of it (then the row is deleted).
    """

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    sealed_body = models.TextField(_("encrypted body"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"webhook delivery {self.pk} on {self.account_id}"
