"""Polling one IMAP mailbox (scheduled every minute, or ``manage.py poll_email``).

How it avoids losing or doubling mail:

- It remembers, per account, the mailbox's UIDVALIDITY and the last UID imported (``cursor``).
  The next poll asks for ``UID last+1:*`` — new mail, read or not. If UIDVALIDITY changed (the
  mailbox was rebuilt) the remembered UID means nothing: it starts again from UNSEEN, and
  idempotency by Message-ID keeps anything already imported from coming twice.
- The first poll of an account imports the UNSEEN messages (mail already read elsewhere is the
  past: import it with ``ingest_eml``).
- Each message is fetched with ``BODY.PEEK[]`` (which leaves it unread), stored, and the cursor
  moved in the same database transaction; only after that commit is it flagged ``\\Seen``. A crash
  in between leaves an unread message that the next poll skips by UID or finds again by
  Message-ID — never a message marked read that we did not keep.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from smartsafe.inbox import actions
from smartsafe.inbox.secrets import SecretsUnreadable

log = logging.getLogger("smartsafe.inbox")

BATCH = 200  # messages per poll; the rest come a minute later
TIMEOUT = 30


class PollFailed(Exception):
    pass


@dataclass
class PollResult:
    fetched: int = 0
    imported: int = 0
    duplicates: int = 0
    messages: list = field(default_factory=list)
    error: str = ""


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response, what: str):
    kind, data = response
    if kind != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")[:200]
        raise PollFailed(f"{what}: {detail}")
    return data


def connect(account) -> imaplib.IMAP4:
    host = account.setting("imap_host")
    if not host:
        raise PollFailed(_("No IMAP server is configured for this mailbox."))
    use_ssl = bool(account.setting("imap_ssl", True))
    port = int(account.setting("imap_port", 993 if use_ssl else 143))
    if use_ssl:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(host, port, timeout=TIMEOUT)
    _check(client.login(account.setting("username", ""), account.secret("secret")), "LOGIN")
    return client


def _status(client, mailbox: str) -> tuple[int, int]:
    data = _check(client.status(_quote(mailbox), "(UIDNEXT UIDVALIDITY)"), "STATUS")
    text = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
    uidnext = re.search(r"UIDNEXT (\d+)", text)
    validity = re.search(r"UIDVALIDITY (\d+)", text)
    if not (uidnext and validity):
        raise PollFailed(f"STATUS: unexpected answer {text[:100]!r}")
    return int(uidnext.group(1)), int(validity.group(1))


def _fetch(client, uid: int) -> bytes | None:
    data = _check(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # expunged meanwhile


def poll(account) -> PollResult:
    """Import new mail of ``account``. Errors are kept on the account (``last_error``) and returned."""
    result = PollResult()
    mailbox = account.setting("mailbox", "INBOX")
    client = None
    try:
        client = connect(account)
        uidnext, validity = _status(client, mailbox)
        _check(client.select(_quote(mailbox)), "SELECT")
        cursor = account.cursor or {}
        last_uid = cursor.get("last_uid") if cursor.get("uidvalidity") == validity else None
        criteria = "UNSEEN" if last_uid is None else f"UID {int(last_uid) + 1}:*"
        data = _check(client.uid("SEARCH", None, criteria), "SEARCH")
        found = sorted({int(x) for x in b" ".join(data).split() if x.isdigit()})
        # "N:*" always names the last message, even when its UID is below N.
        uids = [uid for uid in found if last_uid is None or uid > int(last_uid)][:BATCH]
        for uid in uids:
            raw = _fetch(client, uid)
            result.fetched += 1
            with transaction.atomic():
                if raw is not None:
                    message, created = actions.store_email(account=account, raw=raw)
                    result.messages.append(message)
                    result.imported += int(created)
                    result.duplicates += int(not created)
                actions.advance_cursor(account, validity, uid)
            if raw is not None:
                _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")
        if last_uid is None and len(uids) < BATCH:
            # First poll (or a rebuilt mailbox): everything below UIDNEXT is now accounted for.
            with transaction.atomic():
                actions.advance_cursor(account, validity, uidnext - 1)
    except (PollFailed, SecretsUnreadable, imaplib.IMAP4.error, OSError, ssl.SSLError, EOFError) as exc:
        result.error = str(exc)[:500] or type(exc).__name__
        log.warning("polling %s failed: %s", account, result.error)
    finally:
        if client is not None:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError, EOFError):
                pass
    actions.record_poll(account, error=result.error)
    return result
