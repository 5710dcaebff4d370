"""Background jobs of referrals: reminders and escalation for overdue answers (hourly).

For each open referral past the deadline of its stage (acknowledge while ``sent``, respond while
``acknowledged``/``accepted``):

1. no reminder yet → one e-mail to the institution (its referral address and its active liaisons),
   ``reminded_at`` stamped;
2. reminded, not escalated, and the policy's ``escalate_after`` has passed since the reminder →
   one e-mail to every active supervisor, ``escalated_at`` stamped.

Each referral is handled in its own transaction with the row locked and the stamps re-checked, so
two workers never send the same reminder twice. The mail is sent inside that transaction: a mail
server that refuses it rolls the stamp back and the next run tries again. Acknowledging or
accepting clears both stamps, so the next deadline gets its own reminder.

The e-mails' text is in ``notify``, who receives them in ``queries``, the stamps in ``actions``.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from . import actions, queries

log = logging.getLogger("smartsafe.referrals")


@task()
def check_overdue_referrals() -> dict:
    """Hourly: remind institutions of overdue referrals, escalate to supervisors after a second wait."""
    now = timezone.now()
    done = {"reminded": 0, "escalated": 0, "failed": 0}
    for pk in queries.overdue_to_chase(now):
        try:
            outcome = actions.remind_or_escalate(pk, now)
        except Exception:  # noqa: BLE001 - one referral's mail failure must not stop the others
            log.exception("referral %s: reminder or escalation failed; retried on the next run", pk)
            done["failed"] += 1
            continue
        if outcome:
            done[outcome] += 1
    return done
