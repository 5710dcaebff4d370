"""Viber bots (Viber REST bot API), docs/channels-messengers.md.

Secrets: ``token`` — the bot's authentication token (``channel add viber NAME --token …``). It both
signs Viber's callbacks and authorises our calls. Settings: ``api_base``
(https://chatapi.viber.com/pa), ``sender_name`` (shown as the sender of replies, at most 28
characters; default the centre's name), ``sender_avatar`` (an image URL), ``reply_window_hours`` (24).

Viber signs each callback: ``X-Viber-Content-Signature`` is the lower-case hex HMAC-SHA256 of the
raw body keyed with the bot token. Message events carry ``message_token`` (the idempotency key),
``sender.id`` and ``message`` (text, picture, video, file, contact, location, url, sticker).
Media arrive as a download URL on Viber's servers.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartsafe.evidence.validation import max_file_bytes
from smartsafe.inbox.conversation import check_window, recipient

from .base import Normalised, NormalisedFile, SendFailed
from .messaging import (
    DownloadFailed,
    MessengerAdapter,
    ProviderError,
    as_dict,
    call_json,
    fetch_bytes,
    filename_from_url,
    from_epoch,
    header,
    hmac_sha256_hex,
    id_of,
    same,
    text_of,
)

SIGNATURE_HEADER = "X-Viber-Content-Signature"
DEFAULT_API = "https://chatapi.viber.com/pa"
MEDIA_TYPES = ("picture", "video", "file")
# Viber's send_message status codes worth a sentence of their own.
SEND_ERRORS = {
    5: gettext_noop("The person is no longer reachable on Viber (receiver not registered)."),
    6: gettext_noop("The person has not subscribed to the centre's Viber account, or unsubscribed."),
    7: gettext_noop("Viber refused the message: the account is suspended."),
    10: gettext_noop("Viber's limit of messages for the centre's account has been reached; try later."),
    12: gettext_noop("Viber is receiving too many messages from the centre; try again in a minute."),
}


class ViberAdapter(MessengerAdapter):
    kind = "viber"
    window_hours = 24
    max_text = 7000

    def check(self, account, request) -> tuple[int, str]:
        presented = header(request, SIGNATURE_HEADER)
        if not presented:
            return 401, "missing_signature"
        token = self.secret_or_none(account, "token")
        if not token:
            return 403, "no_secret_configured"
        if not same(presented.lower(), hmac_sha256_hex(token, request.body)):
            return 403, "bad_signature"
        return 200, ""

    def events(self, account, payload: dict) -> tuple[list[dict], list[str]]:
        event = text_of(payload.get("event"), 40)
        if event == "message":
            return [payload], []
        return [], [event or "unknown"]

    def normalise(self, account, event: dict) -> Normalised | None:
        sender = as_dict(event.get("sender"))
        message = as_dict(event.get("message"))
        sender_id = id_of(sender.get("id"))
        token = id_of(event.get("message_token"))
        if not sender_id or not token or not message:
            return None
        kind = text_of(message.get("type"), 40)
        text = text_of(message.get("text"))
        media = []
        if kind in MEDIA_TYPES and isinstance(message.get("media"), str):
            url = message["media"]
            name = text_of(message.get("file_name"), 200) or filename_from_url(url, "")
            media.append({"url": url, "filename": name or kind, "type": kind, "generated": not name})
        elif kind == "contact":
            card = as_dict(message.get("contact"))
            text = _("Contact shared: %(name)s %(phone)s") % {
                "name": text_of(card.get("name"), 200),
                "phone": text_of(card.get("phone_number"), 50),
            }
        elif kind == "location":
            place = as_dict(message.get("location"))
            text = _("Location shared: %(lat)s, %(lon)s") % {
                "lat": place.get("lat", "?"),
                "lon": place.get("lon", "?"),
            }
        elif kind == "url":
            text = text_of(message.get("media"), 2000) or text
        elif kind == "sticker":
            text = text or _("(a sticker)")
        return Normalised(
            provider_id=f"viber:{token}",
            sender_id=sender_id,
            sender_name=text_of(sender.get("name"), 200),
            text=text,
            sent_at=from_epoch(event.get("timestamp"), millis=True),
            extra={"type": kind or "unknown", "media": media, "reply_to": {"id": sender_id}},
        )

    def download(self, account, media: dict) -> NormalisedFile:
        data, content_type = fetch_bytes(str(media.get("url", "")), limit=max_file_bytes())
        return NormalisedFile(str(media.get("filename") or "file"), content_type, data)

    def send(self, account, outbound) -> str:
        check_window(outbound)
        receiver = recipient(outbound).get("id", "")
        token = self.secret_or_none(account, "token")
        if not token:
            raise SendFailed(_("No bot token is configured for this Viber channel."))
        sender = {"name": (account.setting("sender_name") or settings.SMARTSAFE_CENTRE_NAME)[:28]}
        if account.setting("sender_avatar"):
            sender["avatar"] = account.setting("sender_avatar")
        payload = {
            "receiver": receiver,
            "min_api_version": 1,
            "sender": sender,
            "tracking_data": outbound.message_id,
            "type": "text",
            "text": outbound.text_body,
        }
        url = account.setting("api_base", DEFAULT_API).rstrip("/") + "/send_message"
        try:
            answer = call_json("POST", url, headers={"X-Viber-Auth-Token": token}, payload=payload)
        except ProviderError as exc:
            raise SendFailed(_("Viber did not accept the reply: %(detail)s") % {"detail": exc}) from exc
        status = answer.get("status")
        if status != 0:
            detail = SEND_ERRORS.get(status) if isinstance(status, int) else None
            message = _(detail) if detail else text_of(answer.get("status_message"), 200) or str(status)
            raise SendFailed(_("Viber did not accept the reply: %(detail)s") % {"detail": message})
        return id_of(answer.get("message_token")) or outbound.message_id


__all__ = ["ViberAdapter", "DownloadFailed"]
