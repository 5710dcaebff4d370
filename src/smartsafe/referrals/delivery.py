"""Delivering a sent referral (interface; the full implementation replaces this).

``enqueue_delivery(referral)`` — called inside the sending transaction; schedules delivery after
commit (e-mail with the PDF and JSON attached, or the portal). Updates ``delivery_status``.
"""

from __future__ import annotations


def enqueue_delivery(referral) -> None:
    return None
