"""Sample traffic for the benchmarks and the load tests: one example report, signed deliveries.

The example report is the one docs/api.md shows (a child reporting cyberbullying on Instagram);
the Viber deliveries are signed the way Viber signs them, with the account's token. Nothing here
is used by the platform itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

EXAMPLE_REPORT = {
    "category": "cyberbullying",
    "description": "Kids from my class post mean pictures of me in a group every evening.",
    "when_date": "2025-03-14",
    "when_time": "21:30",
    "when_timezone": "Europe/Belgrade",
    "platforms": ["instagram"],
    "urls": ["https://www.instagram.com/p/Cmean123/"],
    "people": ["@mean.kid_77"],
    "in_danger": "no",
    "reported_to": ["platform"],
    "reporter": "child",
    "consent": True,
}


def viber_delivery(token: str, number: int, *, people: int = 50, first_token: int = 5_000_000_000):
    """``(body, signature)`` of Viber's webhook for text message ``number`` from one of ``people``."""
    payload = {
        "event": "message",
        "timestamp": int(time.time() * 1000),
        "message_token": first_token + number,
        "sender": {
            "id": f"person{number % people:04d}AbC=",
            "name": "Ana",
            "language": "sr",
            "api_version": 10,
        },
        "message": {"type": "text", "text": f"Poruka broj {number}: neko mi šalje pretnje na mreži."},
    }
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return raw, hmac.new(token.encode(), raw, hashlib.sha256).hexdigest()
