"""Meta's messengers: Facebook Messenger, Instagram and WhatsApp (Cloud API), docs/channels-messengers.md.

One Meta app serves all three. Secrets: ``secret`` — the app secret (signs every webhook);
``token`` — the access token (a Page token for Messenger and Instagram, a system-user token for
WhatsApp). Settings: ``graph_base`` (https://graph.facebook.com), ``graph_version`` (v21.0),
``verify_token`` (the string typed into the app dashboard for the GET handshake; default: the
account's webhook token, i.e. the last part of its webhook URL), ``phone_number_id`` (WhatsApp:
the number replies go out from; also filters incoming events to that number), ``page_id``
(Messenger/Instagram: optional, filters incoming events to that page or account),
``reply_window_hours`` (24).

Signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed with the app
secret>``. Handshake: ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`` → the
challenge, as is, when the token matches; 403 otherwise.
"""

from __future__ import annotations

from django.http import HttpResponse
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
    filename_from_url,
    from_epoch,
    header,
    hmac_sha256_hex,
    id_of,
    same,
    text_of,
)

SIGNATURE_HEADER = "X-Hub-Signature-256"
DEFAULT_GRAPH = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
WINDOW_CODES = {2018278, 131047}  # Messenger "outside the allowed window", WhatsApp "re-engagement"


class MetaAdapter(MessengerAdapter):
    window_hours = 24
    accepts_get = True
    #: The ``object`` of the webhook payloads this account takes.
    webhook_object = ""

    def check(self, account, request) -> tuple[int, str]:
        presented = header(request, SIGNATURE_HEADER)
        if not presented:
            return 401, "missing_signature"
        secret = self.secret_or_none(account, "secret")
        if not secret:
            return 403, "no_secret_configured"
        algorithm, _sep, digest = presented.partition("=")
        if algorithm.strip().lower() != "sha256" or not digest:
            return 403, "bad_signature"
        if not same(digest.strip().lower(), hmac_sha256_hex(secret, request.body)):
            return 403, "bad_signature"
        return 200, ""

    def verify_token(self, account) -> str:
        return str(account.setting("verify_token") or account.webhook_token)

    def handshake(self, account, request):
        """Meta's subscription check. Returns the response, and whether it was refused."""
        mode = request.GET.get("hub.mode", "")
        token = request.GET.get("hub.verify_token", "")
        challenge = request.GET.get("hub.challenge", "")
        if mode != "subscribe" or not token or not same(token, self.verify_token(account)):
            return None
        if not challenge or len(challenge) > 200 or not challenge.isprintable():
            return None
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")

    def _graph(self, account) -> str:
        base = account.setting("graph_base", DEFAULT_GRAPH).rstrip("/")
        return f"{base}/{account.setting('graph_version', DEFAULT_VERSION).strip('/')}"

    def _auth(self, account) -> dict:
        token = self.secret_or_none(account, "token")
        if not token:
            raise SendFailed(_("No access token is configured for this channel."))
        return {"Authorization": f"Bearer {token}"}

    def _post(self, account, url: str, payload: dict) -> dict:
        try:
            return call_json("POST", url, headers=self._auth(account), payload=payload)
        except ProviderError as exc:
            raise SendFailed(_describe(exc, self.kind)) from exc

    def download(self, account, media: dict) -> NormalisedFile:
        data, content_type = fetch_bytes(str(media.get("url", "")), limit=max_file_bytes())
        return NormalisedFile(str(media.get("filename") or "file"), content_type, data)


class MessengerPageAdapter(MetaAdapter):
    """Facebook Messenger: ``entry[].messaging[]`` events of a Page."""

    kind = "messenger"
    webhook_object = "page"
    max_text = 2000

    def events(self, account, payload: dict) -> tuple[list[dict], list[str]]:
        if payload.get("object") != self.webhook_object:
            return [], [f"object:{text_of(payload.get('object'), 30) or 'none'}"]
        wanted_page = str(account.setting("page_id", "") or "")
        events, skipped = [], []
        for entry in as_list(payload.get("entry")):
            entry = as_dict(entry)
            if wanted_page and id_of(entry.get("id")) != wanted_page:
                skipped.append("other_page")
                continue
            for item in as_list(entry.get("messaging")):
                item = as_dict(item)
                message = as_dict(item.get("message"))
                if message and not message.get("is_echo"):
                    events.append(item)
                else:
                    kinds = [k for k in item if k not in ("sender", "recipient", "timestamp")][:1]
                    skipped.append("echo" if message else (text_of(kinds[0], 40) if kinds else "unknown"))
        return events, skipped

    def normalise(self, account, item: dict) -> Normalised | None:
        sender_id = id_of(as_dict(item.get("sender")).get("id"))
        message = as_dict(item.get("message"))
        mid = id_of(message.get("mid"))
        if not sender_id or not mid:
            return None
        text = text_of(message.get("text"))
        media = []
        for attachment in as_list(message.get("attachments")):
            attachment = as_dict(attachment)
            kind = text_of(attachment.get("type"), 20) or "file"
            url = as_dict(attachment.get("payload")).get("url")
            if kind in ("image", "video", "audio", "file") and isinstance(url, str):
                name = filename_from_url(url, "")
                media.append({"url": url, "filename": name or kind, "type": kind, "generated": not name})
            elif kind == "location":
                text = text or _("(a location)")
            elif kind == "fallback":
                text = "\n".join(
                    filter(None, [text, text_of(as_dict(attachment.get("payload")).get("url"), 2000)])
                )
        if not text and not media and message.get("sticker_id"):
            text = _("(a sticker)")
        return Normalised(
            provider_id=f"{self.kind}:{mid}"[:300],
            sender_id=sender_id,
            text=text,
            sent_at=from_epoch(item.get("timestamp"), millis=True),
            extra={"type": "message", "media": media, "reply_to": {"id": sender_id}},
        )

    def send(self, account, outbound) -> str:
        check_window(outbound)
        payload = {
            "recipient": {"id": recipient(outbound).get("id", "")},
            "messaging_type": "RESPONSE",
            "message": {"text": outbound.text_body},
        }
        answer = self._post(account, f"{self._graph(account)}/me/messages", payload)
        return id_of(answer.get("message_id")) or outbound.message_id


class InstagramAdapter(MessengerPageAdapter):
    """Instagram messaging: the same events and send API as Messenger, object ``instagram``."""

    kind = "instagram"
    webhook_object = "instagram"
    max_text = 1000


class WhatsAppAdapter(MetaAdapter):
    """WhatsApp Cloud API: ``entry[].changes[].value.messages[]``; media by id through the Graph API."""

    kind = "whatsapp"
    webhook_object = "whatsapp_business_account"
    max_text = 4096

    def events(self, account, payload: dict) -> tuple[list[dict], list[str]]:
        if payload.get("object") != self.webhook_object:
            return [], [f"object:{text_of(payload.get('object'), 30) or 'none'}"]
        wanted_number = str(account.setting("phone_number_id", "") or "")
        events, skipped = [], []
        for entry in as_list(payload.get("entry")):
            for change in as_list(as_dict(entry).get("changes")):
                change = as_dict(change)
                value = as_dict(change.get("value"))
                if change.get("field") != "messages":
                    skipped.append(text_of(change.get("field"), 40) or "unknown")
                    continue
                number = id_of(as_dict(value.get("metadata")).get("phone_number_id"))
                if wanted_number and number != wanted_number:
                    skipped.append("other_number")
                    continue
                names = {
                    id_of(c.get("wa_id")): text_of(as_dict(c.get("profile")).get("name"), 200)
                    for c in map(as_dict, as_list(value.get("contacts")))
                }
                skipped.extend("status" for _s in as_list(value.get("statuses")))
                for message in as_list(value.get("messages")):
                    message = as_dict(message)
                    if message.get("type") in ("reaction", "system", "unsupported"):
                        skipped.append(text_of(message.get("type"), 40))
                        continue
                    events.append({**message, "_name": names.get(id_of(message.get("from")), "")})
        return events, skipped

    def normalise(self, account, message: dict) -> Normalised | None:
        sender_id = id_of(message.get("from"))
        wamid = id_of(message.get("id"))
        if not sender_id or not wamid:
            return None
        kind = text_of(message.get("type"), 40)
        body = as_dict(message.get(kind)) if kind else {}
        text = text_of(as_dict(message.get("text")).get("body")) or text_of(body.get("caption"))
        media = []
        if kind in ("image", "document", "video", "audio", "sticker") and id_of(body.get("id")):
            name = text_of(body.get("filename"), 200)
            media.append(
                {"id": id_of(body["id"]), "filename": name or kind, "type": kind, "generated": not name}
            )
        elif kind == "location":
            text = _("Location shared: %(lat)s, %(lon)s") % {
                "lat": body.get("latitude", "?"),
                "lon": body.get("longitude", "?"),
            }
        elif kind == "contacts":
            cards = [as_dict(c) for c in as_list(message.get("contacts"))]
            text = _("Contact shared: %(name)s %(phone)s") % {
                "name": ", ".join(text_of(as_dict(c.get("name")).get("formatted_name"), 100) for c in cards),
                "phone": ", ".join(
                    text_of(as_dict(p).get("phone"), 50) for c in cards for p in as_list(c.get("phones"))
                ),
            }
        elif kind in ("button", "interactive"):
            reply = as_dict(body.get("button_reply") or body.get("list_reply"))
            text = text_of(body.get("text"), 1000) or text_of(reply.get("title"), 1000)
        return Normalised(
            provider_id=f"whatsapp:{wamid}"[:300],
            sender_id=sender_id,
            sender_name=text_of(message.get("_name"), 200),
            text=text,
            sent_at=from_epoch(message.get("timestamp")),
            extra={"type": kind or "unknown", "media": media, "reply_to": {"wa_id": sender_id}},
        )

    def download(self, account, media: dict) -> NormalisedFile:
        try:
            headers = self._auth(account)
            info = call_json("GET", f"{self._graph(account)}/{media.get('id', '')}", headers=headers)
        except (ProviderError, SendFailed) as exc:
            raise DownloadFailed(_("WhatsApp did not give the file: %(detail)s") % {"detail": exc}) from exc
        size = info.get("file_size")
        if isinstance(size, int) and size > max_file_bytes():
            raise DownloadFailed(_("The file is larger than the vault accepts."))
        # The media URL needs the same token (unlike Messenger's CDN links).
        data, content_type = fetch_bytes(str(info.get("url", "")), limit=max_file_bytes(), headers=headers)
        return NormalisedFile(
            str(media.get("filename") or "file"), text_of(info.get("mime_type"), 100) or content_type, data
        )

    def send(self, account, outbound) -> str:
        check_window(outbound)
        number = account.setting("phone_number_id")
        if not number:
            raise SendFailed(_("No WhatsApp phone number id is configured for this channel."))
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient(outbound).get("wa_id", ""),
            "type": "text",
            "text": {"preview_url": False, "body": outbound.text_body},
        }
        answer = self._post(account, f"{self._graph(account)}/{number}/messages", payload)
        sent = [as_dict(m) for m in as_list(answer.get("messages"))]
        return (id_of(sent[0].get("id")) if sent else "") or outbound.message_id


def _describe(exc: ProviderError, kind: str) -> str:
    error = as_dict(exc.body.get("error"))
    codes = {c for c in (error.get("code"), error.get("error_subcode")) if isinstance(c, int)}
    if codes & WINDOW_CODES:
        return _("Meta refused the reply: the 24-hour window to answer this person has closed.")
    detail = text_of(error.get("message"), 300) or str(exc)
    return _("Meta did not accept the reply: %(detail)s") % {"detail": detail}
