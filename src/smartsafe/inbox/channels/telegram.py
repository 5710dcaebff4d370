"""Telegram bots (Bot API), docs/channels-messengers.md.

Secrets: ``token`` — the bot token from @BotFather; ``secret`` — the ``secret_token`` given to
``setWebhook`` (1–256 characters of A–Z, a–z, 0–9, ``_`` and ``-``). Telegram sends it back in
``X-Telegram-Bot-Api-Secret-Token`` with every update; it is compared in constant time and a
request without it is refused (a Telegram webhook without a secret token is not accepted here).
Settings: ``api_base`` (https://api.telegram.org). Telegram has no reply window.

Only private chats are taken (a bot added to a group is not a helpline conversation). The
idempotency key is ``chat id:message id`` (message ids are unique per chat). Photos and documents
are fetched with ``getFile`` and the file endpoint.
"""

from __future__ import annotations

import urllib.parse

from django.utils.translation import gettext as _

from smartsafe.evidence.validation import max_file_bytes
from smartsafe.inbox.conversation import check_window, recipient

from .base import Normalised, NormalisedFile, SendFailed
from .messaging import (
    DownloadFailed,
    MessengerAdapter,
    ProviderError,
    as_dict,
    as_list,
    call_json,
    fetch_bytes,
    from_epoch,
    header,
    id_of,
    same,
    text_of,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_API = "https://api.telegram.org"


class TelegramAdapter(MessengerAdapter):
    kind = "telegram"
    window_hours = None
    max_text = 4096

    def check(self, account, request) -> tuple[int, str]:
        presented = header(request, SECRET_HEADER)
        if not presented:
            return 401, "missing_signature"
        expected = self.secret_or_none(account, "secret")
        if not expected:
            return 403, "no_secret_configured"
        if not same(presented, expected):
            return 403, "bad_signature"
        return 200, ""

    def events(self, account, payload: dict) -> tuple[list[dict], list[str]]:
        message = payload.get("message")
        if isinstance(message, dict):
            if as_dict(message.get("chat")).get("type") == "private":
                return [message], []
            return [], ["not_private_chat"]
        others = [key for key in payload if key != "update_id"][:1]
        return [], [text_of(others[0], 40) if others else "unknown"]

    def normalise(self, account, message: dict) -> Normalised | None:
        sender = as_dict(message.get("from"))
        chat_id = id_of(as_dict(message.get("chat")).get("id"))
        message_id = id_of(message.get("message_id"))
        sender_id = id_of(sender.get("id"))
        if not (chat_id and message_id and sender_id) or sender.get("is_bot") is True:
            return None
        text = text_of(message.get("text")) or text_of(message.get("caption"))
        media = []
        photos = [p for p in as_list(message.get("photo")) if isinstance(p, dict) and id_of(p.get("file_id"))]
        if photos:  # Telegram lists the sizes smallest first: keep the largest
            media.append({"file_id": id_of(photos[-1]["file_id"]), "filename": "photo", "generated": True})
        for key in ("document", "video", "voice", "audio", "animation"):
            item = as_dict(message.get(key))
            if id_of(item.get("file_id")):
                name = text_of(item.get("file_name"), 200)
                media.append(
                    {"file_id": id_of(item["file_id"]), "filename": name or key, "generated": not name}
                )
        contact = as_dict(message.get("contact"))
        if contact:
            text = _("Contact shared: %(name)s %(phone)s") % {
                "name": " ".join(
                    filter(
                        None,
                        [text_of(contact.get("first_name"), 100), text_of(contact.get("last_name"), 100)],
                    )
                ),
                "phone": text_of(contact.get("phone_number"), 50),
            }
        location = as_dict(message.get("location"))
        if location:
            text = _("Location shared: %(lat)s, %(lon)s") % {
                "lat": location.get("latitude", "?"),
                "lon": location.get("longitude", "?"),
            }
        if not text and not media and message.get("sticker"):
            text = _("(a sticker)")
        name = " ".join(
            filter(None, [text_of(sender.get("first_name"), 100), text_of(sender.get("last_name"), 100)])
        )
        return Normalised(
            provider_id=f"telegram:{chat_id}:{message_id}",
            sender_id=sender_id,
            sender_name=name,
            text=text,
            sent_at=from_epoch(message.get("date")),
            extra={"type": "message", "media": media, "reply_to": {"chat_id": chat_id}},
        )

    def _api(self, account) -> tuple[str, str]:
        token = self.secret_or_none(account, "token")
        return account.setting("api_base", DEFAULT_API).rstrip("/"), token

    def download(self, account, media: dict) -> NormalisedFile:
        base, token = self._api(account)
        if not token:
            raise DownloadFailed(_("No bot token is configured for this Telegram channel."))
        query = urllib.parse.urlencode({"file_id": str(media.get("file_id", ""))})
        try:
            answer = call_json("GET", f"{base}/bot{token}/getFile?{query}")
        except ProviderError as exc:
            raise DownloadFailed(
                _("Telegram did not give the file: %(detail)s") % {"detail": _describe(exc)}
            ) from exc
        result = as_dict(answer.get("result"))
        path = text_of(result.get("file_path"), 500)
        if not answer.get("ok") or not path:
            raise DownloadFailed(_("Telegram did not give the file."))
        size = result.get("file_size")
        if isinstance(size, int) and size > max_file_bytes():
            raise DownloadFailed(_("The file is larger than the vault accepts."))
        data, content_type = fetch_bytes(
            f"{base}/file/bot{token}/{urllib.parse.quote(path)}", limit=max_file_bytes()
        )
        return NormalisedFile(str(media.get("filename") or "file"), content_type, data)

    def send(self, account, outbound) -> str:
        check_window(outbound)
        chat_id = recipient(outbound).get("chat_id", "")
        base, token = self._api(account)
        if not token:
            raise SendFailed(_("No bot token is configured for this Telegram channel."))
        payload = {
            "chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
            "text": outbound.text_body,
        }
        try:
            answer = call_json("POST", f"{base}/bot{token}/sendMessage", payload=payload)
        except ProviderError as exc:
            raise SendFailed(
                _("Telegram did not accept the reply: %(detail)s") % {"detail": _describe(exc)}
            ) from exc
        if not answer.get("ok"):
            raise SendFailed(
                _("Telegram did not accept the reply: %(detail)s") % {"detail": _describe(answer)}
            )
        return id_of(as_dict(answer.get("result")).get("message_id")) or outbound.message_id


def _describe(error) -> str:
    body = error.body if isinstance(error, ProviderError) else error
    description = text_of(as_dict(body).get("description"), 300)
    if "blocked by the user" in description:
        return _("the person has blocked the centre's bot.")
    return description or str(error)
