"""The referral packet: what the institution receives (interface; the full builder replaces this).

``build_packet(referral) -> dict`` — the JSON twin, frozen into ``Referral.packet`` when sent.
``render_pdf(packet: dict, language: str) -> bytes`` — the PDF rendering of that same dict.
"""

from __future__ import annotations


def build_packet(referral) -> dict:
    case = referral.case
    return {"schema": "smartsafe.referral-packet/1", "case": {"reference": case.reference, "title": case.title}}


def render_pdf(packet: dict, language: str) -> bytes:
    raise NotImplementedError
