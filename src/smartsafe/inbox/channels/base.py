"""The interface every channel adapter implements, and the registry that finds one by kind.

A channel is one module: ``email.py`` for mailboxes; Viber, Telegram, Meta and the phone line each
get theirs. Adding one means writing a subclass of ``Adapter`` and one line in ``ADAPTERS`` — the
account model, the ``channel`` command, the webhook URL and the reply flow are shared.

The three verbs (an adapter speaks the provider's protocol and stores nothing; bringing messages in
is the inbox's: ``channels/imap.py`` polls mailboxes, ``webhooks.py`` keeps a verified payload for
``messenger.process_delivery``, and ``inbox/actions/`` stores what they bring):

``verify(account, request)``
    Push channels: is this webhook request really from the provider (signature, secret token)?
    Return False and nothing is stored; the attempt is audited by the caller.
``normalise(account, raw)``
    One provider message (bytes, JSON) in the platform's terms: a ``Normalised`` value.
``send(account, outbound)``
    Deliver a counsellor's reply (``OutboundMessage``). Returns the provider's id for it, or raises
    ``SendFailed`` with a message a counsellor can act on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from smartsafe.inbox.models import ChannelKind

#: kind → dotted path of its adapter class. Kinds without one can be configured, not yet used.
ADAPTERS: dict[str, str] = {
    ChannelKind.EMAIL: "smartsafe.inbox.channels.email.EmailAdapter",
    ChannelKind.VIBER: "smartsafe.inbox.channels.viber.ViberAdapter",
    ChannelKind.TELEGRAM: "smartsafe.inbox.channels.telegram.TelegramAdapter",
    ChannelKind.MESSENGER: "smartsafe.inbox.channels.meta.MessengerPageAdapter",
    ChannelKind.INSTAGRAM: "smartsafe.inbox.channels.meta.InstagramAdapter",
    ChannelKind.WHATSAPP: "smartsafe.inbox.channels.meta.WhatsAppAdapter",
}


class SendFailed(Exception):
    """A reply could not be delivered; ``str(exc)`` says why, for the counsellor."""


class NoAdapter(LookupError):
    """No adapter is installed for this kind of channel."""


@dataclass
class NormalisedFile:
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    inline: bool = False


@dataclass
class Normalised:
    """One message from the public, independent of the channel it came on."""

    provider_id: str  # idempotency key, unique per account
    sender_id: str  # address, messenger user id, phone number: hashed before it is used to match
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    sent_at: dt.datetime | None = None
    files: list[NormalisedFile] = field(default_factory=list)
    # Provider message ids this one answers (e-mail: In-Reply-To and References).
    replies_to: list[str] = field(default_factory=list)
    automatic: str = ""  # models.Automatic
    extra: dict = field(default_factory=dict)


class Adapter:
    """Base class: every verb refuses until a subclass implements it."""

    kind: str = ""
    #: Whether the provider calls us (webhook) rather than us polling it.
    push: bool = False

    def verify(self, account, request) -> bool:
        return False

    def normalise(self, account, raw) -> Normalised:
        raise NotImplementedError

    def send(self, account, outbound) -> str:
        raise SendFailed(f"Channel kind {self.kind!r} cannot send replies yet.")


def kinds() -> list[str]:
    return list(ChannelKind.values)


def has_adapter(kind: str) -> bool:
    return kind in ADAPTERS


def register(kind: str, dotted_path: str) -> None:
    """For a channel shipped outside this package (a plug-in): ``register("viber", "x.y.Viber")``."""
    if kind not in ChannelKind.values:
        raise ValueError(f"Unknown channel kind: {kind!r}")
    ADAPTERS[kind] = dotted_path


def get_adapter(kind: str) -> Adapter:
    try:
        path = ADAPTERS[kind]
    except KeyError:
        raise NoAdapter(f"No adapter for channel kind {kind!r} yet.") from None
    return import_string(path)()
