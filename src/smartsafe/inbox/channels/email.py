"""The e-mail adapter: IMAP in (channels/imap.py), SMTP out, MIME read by channels/mime.py.

Account settings (``ChannelAccount.settings``): ``imap_host``, ``imap_port`` (993), ``imap_ssl``
(true), ``username``, ``mailbox`` (INBOX), ``smtp_host``, ``smtp_port`` (587), ``smtp_ssl``
(false), ``smtp_starttls`` (true unless smtp_ssl), ``smtp_username`` (= username), ``smtp_auth``
(true when a password is set), ``from_address``, ``from_name`` (the centre's name),
``message_id_domain`` (the domain of from_address). The password is the account's secret.
"""

from __future__ import annotations

import re
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.inbox.models import OutboundMessage
from smartsafe.inbox.secrets import SecretsUnreadable

from . import mime
from .automatic import LOOP_HEADER, OUR_ID_PREFIX, classify
from .base import Adapter, Normalised, NormalisedFile, SendFailed

MAX_SUMMARY = 50_000
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|odg|одг|ha)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def message_id_domain(account) -> str:
    domain = account.setting("message_id_domain") or account.setting("from_address", "").rpartition("@")[2]
    return (domain or "smartsafe.invalid").strip().lower()


def our_domains(account) -> set[str]:
    return {message_id_domain(account)}


def new_message_id(account) -> str:
    """``ss.<random>@domain``: unguessable, so naming it in a reply proves the mail was received."""
    return f"{OUR_ID_PREFIX}{secrets.token_urlsafe(18)}@{message_id_domain(account)}"


def summary_for_contact(parsed: mime.ParsedEmail) -> str:
    """The contact's summary: the text, then each forwarded message with its own headers."""
    parts = [parsed.text.strip()]
    for forwarded in parsed.forwarded:
        header = "\n".join(
            f"{label}: {forwarded[key]}"
            for label, key in ((_("From"), "from"), (_("Date"), "date"), (_("Subject"), "subject"))
            if forwarded.get(key)
        )
        parts.append(f"---- {_('Forwarded message')} ----\n{header}\n\n{forwarded.get('text', '').strip()}")
    if parsed.parse_error and not parsed.text:
        parts.append(_("(The message could not be read completely.)"))
    return mime.clean("\n\n".join(p for p in parts if p), MAX_SUMMARY)


def reply_subject(subject: str, case_reference: str = "") -> str:
    base = REPLY_PREFIX.sub("", subject or "").strip() or _("Your message")
    subject = f"Re: {base}"
    if case_reference and case_reference not in subject:
        subject = f"{subject} [{case_reference}]"
    return subject[:500]


def compose_reply(*, account, target, case, body: str):
    """An unsaved ``OutboundMessage`` answering ``target`` with the proper threading headers."""
    references = mime.parse_ids(target.headers.get("references", ""))
    if target.message_id:
        references.append(target.message_id)
    references = list(dict.fromkeys(references))[-20:]
    message_id = new_message_id(account)
    headers = {
        "message-id": f"<{message_id}>",
        "in-reply-to": f"<{target.message_id}>" if target.message_id else "",
        "references": " ".join(f"<{r}>" for r in references),
    }
    return OutboundMessage(
        account=account,
        in_reply_to=target,
        message_id=message_id,
        headers={k: v for k, v in headers.items() if v},
        from_address=account.setting("from_address") or account.setting("username", ""),
        to_address=target.reply_to or target.from_address,
        subject=reply_subject(target.subject, case.reference if case else ""),
        text_body=body,
    )


def to_email(outbound) -> EmailMessage:
    account = outbound.account
    msg = EmailMessage()
    msg["From"] = formataddr(
        (account.setting("from_name") or settings.SMARTSAFE_CENTRE_NAME, outbound.from_address)
    )
    msg["To"] = outbound.to_address
    msg["Subject"] = outbound.subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = outbound.headers["message-id"]
    for name in ("in-reply-to", "references"):
        if outbound.headers.get(name):
            msg[name.title()] = outbound.headers[name]
    # Lets us recognise our own mail if it ever comes back to one of our mailboxes.
    msg[LOOP_HEADER] = message_id_domain(account)
    msg.set_content(outbound.text_body)
    return msg


def send_smtp(account, msg: EmailMessage, *, sender: str, recipient: str) -> None:
    host = account.setting("smtp_host")
    if not host:
        raise SendFailed(_("No SMTP server is configured for this mailbox."))
    use_ssl = bool(account.setting("smtp_ssl", False))
    port = int(account.setting("smtp_port", 465 if use_ssl else 587))
    starttls = bool(account.setting("smtp_starttls", not use_ssl))
    try:
        password = account.secret("secret")
    except SecretsUnreadable as exc:
        raise SendFailed(_("The mailbox password cannot be read; set it again.")) from exc
    auth = bool(account.setting("smtp_auth", bool(password)))
    context = ssl.create_default_context()
    try:
        if use_ssl:
            client = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=30)
        with client:
            if starttls and not use_ssl:
                client.starttls(context=context)
            if auth:
                client.login(account.setting("smtp_username") or account.setting("username", ""), password)
            client.send_message(msg, from_addr=sender, to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendFailed(
            _("The mail server refused the address: %(detail)s") % {"detail": _smtp_detail(exc)}
        ) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise SendFailed(_("The mail server refused our sign-in; check the mailbox password.")) from exc
    except (smtplib.SMTPException, OSError, UnicodeError, ValueError) as exc:
        raise SendFailed(_("Sending failed: %(detail)s") % {"detail": _smtp_detail(exc)}) from exc


def _smtp_detail(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for code, text in exc.recipients.values():
            parts.append(f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}")
        return "; ".join(parts)[:300]
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"{exc.smtp_code} {message}"[:300]
    return (f"{type(exc).__name__}: {exc}")[:300]


class EmailAdapter(Adapter):
    kind = "email"
    push = False

    def normalise(self, account, raw) -> Normalised:
        parsed = mime.parse(raw)
        return Normalised(
            provider_id=parsed.provider_id,
            sender_id=parsed.from_address,
            sender_name=parsed.from_name,
            subject=parsed.subject,
            text=parsed.text,
            html=parsed.html,
            sent_at=parsed.date,
            files=[NormalisedFile(a.filename, a.content_type, a.data, a.inline) for a in parsed.attachments],
            replies_to=parsed.all_references,
            automatic=classify(parsed, our_domains=our_domains(account)),
            extra={"message_id": parsed.message_id, "forwarded": parsed.forwarded},
        )

    def send(self, account, outbound) -> str:
        msg = to_email(outbound)
        send_smtp(account, msg, sender=outbound.from_address, recipient=outbound.to_address)
        return outbound.message_id
