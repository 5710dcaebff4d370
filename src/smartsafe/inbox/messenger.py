"""Messenger conversations (Viber, Telegram, Messenger, Instagram, WhatsApp): docs/channels-messengers.md.

After a webhook verified (webhooks.py), its payload is processed here in a background task:

* each message event is normalised by the channel's adapter; other events are skipped;
* idempotent by the provider's message id (``InboundMessage`` is unique per account and
  ``provider_id``): a retried delivery stores nothing twice;
* media are fetched through the provider's API (outside any transaction) into the evidence vault;
  a file the vault refuses, or one that could not be fetched, is listed with the reason;
* **threading**: one person's messages on one account form one conversation — one contact. The
  person is known by a keyed hash of ``kind:sender id`` (never stored in clear; a contact shows
  only the last three characters). The message joins that person's latest contact on the account
  while it is open (new, triaged) or linked to an open case (it then also appears on the case's
  timeline). Once that contact is closed, or its case is closed, the next message starts a new
  contact that names the earlier contact and case, so the person is recognised when they return;
* the address replies go to (the provider's user or chat id) is kept encrypted on the message.

Replies: ``write_reply`` records one, ``deliver`` sends it through the adapter (both in
``inbox/actions/messenger.py``, with every other write of this pipeline). Meta and Viber let a
business answer only within 24 hours of the person's last message: ``conversation.reply_window``
says whether that window is open and when it closes; outside it the reply is refused before
anything is sent.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django_tasks import task

from . import queries
from . import secrets as sealing
from .actions import messenger as messenger_actions
from .channels import base
from .channels.messaging import MessengerAdapter
from .models import ChannelAccount

log = logging.getLogger("smartsafe.inbox")


class MessagesNotStored(Exception):
    """Some messages of a delivery could not be stored: the task fails, is retried, and after its
    last attempt waits on the "needs attention" page with its delivery still kept."""


def enqueue(account: ChannelAccount, payload_json: str):
    """Keep a verified payload (encrypted) and queue its processing by id, in one transaction.

    Both rows commit together or not at all, so the caller's "ok" to the provider follows a commit
    that holds the delivery and its task. With the immediate backend (tests) it is processed at once.
    """
    with transaction.atomic():
        delivery = messenger_actions.keep_delivery(account, payload_json)
        return process_delivery.enqueue(delivery.pk)


@task()
def process_delivery(delivery_id: int) -> dict:
    """Store every message of one kept delivery, then delete it. Safe to run twice: a delivery
    already done is gone, and a message already stored is known by its provider id."""
    delivery = queries.webhook_delivery(delivery_id)
    if delivery is None:
        return {"skipped": ["already_processed"]}
    # An unreadable delivery (the channel secrets key changed) fails loudly and stays for a retry.
    payload_json = sealing.unseal(delivery.sealed_body).get("body", "")
    try:
        payload = json.loads(payload_json)
    except (TypeError, ValueError, RecursionError):
        messenger_actions.discard_delivery(delivery)
        return {"error": "not JSON"}
    summary = process_payload(delivery.account, payload)
    if summary["failed"]:
        raise MessagesNotStored(
            f"{summary['failed']} message(s) of webhook delivery {delivery.pk} could not be stored; "
            f"{summary['stored']} stored, {summary['duplicates']} already there"
        )
    messenger_actions.discard_delivery(delivery)
    return summary


@task()
def process_webhook(account_id: int, payload_json: str) -> dict:
    """Store every message of one verified webhook payload; returns counts for the worker's log.

    What the queue held before deliveries were kept as records; left for tasks queued then.
    """
    account = queries.channel_account(account_id)
    if account is None:
        return {"error": "no such account"}
    try:
        payload = json.loads(payload_json)
    except (TypeError, ValueError, RecursionError):
        return {"error": "not JSON"}
    return process_payload(account, payload)


def process_payload(account: ChannelAccount, payload) -> dict:
    summary = {"stored": 0, "duplicates": 0, "skipped": [], "failed": 0}
    adapter = base.get_adapter(account.kind)
    if not isinstance(adapter, MessengerAdapter) or not isinstance(payload, dict):
        summary["skipped"].append("not_a_message_payload")
        return summary
    try:
        events, skipped = adapter.events(account, payload)
    except (RecursionError, TypeError, ValueError, AttributeError):
        log.exception("webhook payload of account %s could not be read", account.pk)
        return {**summary, "skipped": ["unreadable"]}
    summary["skipped"].extend(skipped)
    for event in events:
        try:
            normalised = adapter.normalise(account, event)
        except (RecursionError, TypeError, ValueError, AttributeError, KeyError):
            normalised = None
        if normalised is None:
            summary["skipped"].append("unreadable_message")
            continue
        try:
            _message, created = messenger_actions.store_message(account, adapter, normalised)
        except Exception:
            # One message that cannot be stored must not lose the others of the same delivery.
            log.exception("message %s on account %s not stored", normalised.provider_id, account.pk)
            summary["failed"] += 1
            continue
        summary["stored" if created else "duplicates"] += 1
    return summary
