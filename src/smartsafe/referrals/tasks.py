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
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

log = logging.getLogger("smartsafe.referrals")

# The institution's packet language (directory codes) → the interface language of its reminder.
_LANGUAGE = {"sr-Cyrl": "sr", "sr-Latn": "sr-latn", "en": "en"}


def _institution_recipients(referral) -> list[str]:
    from smartsafe.accounts.roles import Role

    addresses = [referral.institution.email] if referral.institution.email else []
    liaisons = (
        get_user_model()
        .objects.filter(
            is_active=True, role=Role.LIAISON, institution_membership__institution=referral.institution
        )
        .exclude(email="")
    )
    addresses += [user.email for user in liaisons]
    return list(dict.fromkeys(addresses))


def _supervisor_recipients() -> list[str]:
    from smartsafe.accounts.roles import Role

    users = get_user_model().objects.filter(is_active=True, role=Role.SUPERVISOR).exclude(email="")
    return list(dict.fromkeys(users.order_by("pk").values_list("email", flat=True)))


def _deadline(referral) -> tuple[str, object]:
    from .models import ReferralState

    if referral.state == ReferralState.SENT:
        return "acknowledge", referral.acknowledge_due_at
    return "respond", referral.respond_due_at


def _reminder(referral, deadline: str, due) -> tuple[str, str]:
    with translation.override(_LANGUAGE.get(referral.institution.packet_language, settings.LANGUAGE_CODE)):
        what = _("acknowledge receipt of") if deadline == "acknowledge" else _("answer")
        subject = _("Reminder: please %(what)s referral %(case)s from %(centre)s") % {
            "what": what,
            "case": referral.case.reference,
            "centre": settings.SMARTSAFE_CENTRE_NAME,
        }
        body = "\n\n".join(
            [
                _("On %(sent)s %(centre)s referred case %(case)s to %(institution)s.")
                % {
                    "sent": formats.date_format(timezone.localtime(referral.sent_at), "DATETIME_FORMAT"),
                    "centre": settings.SMARTSAFE_CENTRE_NAME,
                    "case": referral.case.reference,
                    "institution": referral.institution.name,
                },
                _("We asked you to %(what)s it by %(due)s and have not heard from you yet.")
                % {"what": what, "due": formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")},
                _("Please answer in the institution portal, or call the centre on %(helpline)s.")
                % {"helpline": settings.SMARTSAFE_HELPLINE},
            ]
        )
    return str(subject), body


def _escalation(referral, deadline: str, due) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Overdue referral %(case)s → %(institution)s: no answer after a reminder") % {
            "case": referral.case.reference,
            "institution": referral.institution.name,
        }
        body = "\n\n".join(
            [
                _(
                    "The %(deadline)s deadline of the referral of case %(case)s "
                    "to %(institution)s passed on %(due)s."
                )
                % {
                    "deadline": _("acknowledgement") if deadline == "acknowledge" else _("response"),
                    "case": referral.case.reference,
                    "institution": referral.institution.name,
                    "due": formats.date_format(timezone.localtime(due), "DATETIME_FORMAT"),
                },
                _("A reminder was sent on %(reminded)s and the institution has still not answered.")
                % {
                    "reminded": formats.date_format(
                        timezone.localtime(referral.reminded_at), "DATETIME_FORMAT"
                    )
                },
                _("Please follow it up: call the institution, or record its answer on its behalf."),
            ]
        )
    return str(subject), body


def _handle(pk: int, now) -> str | None:
    """Remind or escalate one referral; returns what was done ("reminded", "escalated") or None."""
    from smartsafe.core.concurrency import lock_for_update

    from . import actions, deadlines, notify
    from .models import Referral
    from .queries import overdue_q

    with transaction.atomic():
        try:
            referral = lock_for_update(Referral.objects.filter(overdue_q(now)), pk)
        except Referral.DoesNotExist:
            return None  # answered in the meantime
        deadline, due = _deadline(referral)
        if referral.reminded_at is None:
            recipients = _institution_recipients(referral)
            if recipients:
                notify.send_now(*_reminder(referral, deadline, due), recipients)
            actions.mark_reminded(referral, deadline=deadline, recipients=recipients)
            return "reminded"
        if referral.escalated_at is None:
            wait = deadlines.escalate_after(referral.institution.kind, referral.urgent)
            if now < referral.reminded_at + wait:
                return None
            recipients = _supervisor_recipients()
            if recipients:
                notify.send_now(*_escalation(referral, deadline, due), recipients)
            actions.mark_escalated(referral, recipients=recipients)
            return "escalated"
    return None


@task()
def check_overdue_referrals() -> dict:
    """Hourly: remind institutions of overdue referrals, escalate to supervisors after a second wait."""
    from .models import Referral
    from .queries import overdue_q

    now = timezone.now()
    done = {"reminded": 0, "escalated": 0, "failed": 0}
    candidates = Referral.objects.filter(overdue_q(now), escalated_at__isnull=True).order_by("-urgent", "pk")
    for pk in candidates.values_list("pk", flat=True):
        try:
            outcome = _handle(pk, now)
        except Exception:  # noqa: BLE001 - one referral's mail failure must not stop the others
            log.exception("referral %s: reminder or escalation failed; retried on the next run", pk)
            done["failed"] += 1
            continue
        if outcome:
            done[outcome] += 1
    return done
