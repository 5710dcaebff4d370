"""Mail written by machines: auto-replies, bounces, list mail and our own mail coming back.

Such messages are kept (a bounce tells the counsellor the reply did not arrive) but are never
answered: answering an out-of-office with our reply, which triggers another out-of-office, is how
mail loops start. The rules follow RFC 3834 (Auto-Submitted), RFC 3464 (delivery status reports)
and the de-facto headers of common mail systems; docs/channels-email.md lists them.
"""

from __future__ import annotations

import re

from .mime import ParsedEmail

LOOP_HEADER = "X-Smartsafe-Loop"
# Local parts of our own Message-IDs start with this (smtp.py makes them).
OUR_ID_PREFIX = "ss."

AUTO_SUBJECT = re.compile(
    r"^\s*("
    r"out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|auto:|"
    r"abwesenheit|absence|vacation|on leave|"
    r"automatski odgovor|odsutan|odsutna|van kancelarije|"
    r"аутоматски одговор|одсутан|одсутна|ван канцеларије"
    r")",
    re.IGNORECASE,
)
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(ed|able)|delivery status notification|delivery (has )?failed|"
    r"returned mail|mail delivery failed|failure notice)",
    re.IGNORECASE,
)


def classify(parsed: ParsedEmail, *, our_domains: set[str] = frozenset()) -> str:
    """ "" for a person's message, else one of ``models.Automatic``'s codes."""
    if parsed.header(LOOP_HEADER) or _is_ours(parsed.message_id, our_domains):
        return "loop"
    if (
        (parsed.content_type == "multipart/report" and parsed.report_type == "delivery-status")
        or BOUNCE_SENDERS.match(parsed.from_address or "")
        or (parsed.header("Return-Path").strip() == "<>" and BOUNCE_SUBJECT.match(parsed.subject))
    ):
        return "bounce"
    auto_submitted = parsed.header("Auto-Submitted").strip().lower()
    precedence = parsed.header("Precedence").strip().lower()
    if (
        (auto_submitted and auto_submitted.split(";")[0].strip() != "no")
        or parsed.header("X-Autoreply")
        or parsed.header("X-Autorespond")
        or precedence == "auto_reply"
        or AUTO_SUBJECT.match(parsed.subject)
    ):
        return "auto_reply"
    if precedence in ("bulk", "junk", "list") or parsed.header("List-Id"):
        return "bulk"
    return ""


def _is_ours(message_id: str, our_domains) -> bool:
    if "@" not in message_id:
        return False
    local, _, domain = message_id.rpartition("@")
    return local.startswith(OUR_ID_PREFIX) and domain.lower() in {d.lower() for d in our_domains}
