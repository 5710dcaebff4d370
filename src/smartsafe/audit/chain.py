"""The hash of an audit event: SHA-256 over the previous hash and a canonical form of the event.

Kept separate from ``log.record`` because ``verify`` must compute exactly the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

GENESIS_HASH = "0" * 64

# The fields that are sealed by the hash, in a fixed order. Adding a field here changes every hash.
SEALED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "outcome",
    "ip",
    "user_agent",
    "request_id",
    "via",
    "details",
)


def canonical(event) -> bytes:
    payload = {}
    for name in SEALED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            # Microsecond ISO form in UTC: identical on SQLite and PostgreSQL after a round trip.
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def compute_hash(previous_hash: str, event) -> str:
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(event)).hexdigest()
