"""E-mails about referrals: what they say, and how they go out.

The case owner's notification is queued with ``transaction.on_commit`` (so a rolled-back action
sends nothing), and a mail server that refuses it is logged, not raised: a notification never
decides whether an action succeeded, and the record on the case timeline is the notification
that always exists. The overdue job's reminder and escalation are sent at once, inside its
transaction (``send_now``), so a refusal rolls the stamp back and the next run tries again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

log = logging.getLogger("smartsafe.referrals")

# The institution's packet language (directory codes) → the interface language of its reminder.
_LANGUAGE = {"sr-Cyrl": "sr", "sr-Latn": "sr-latn", "en": "en"}


def _event_text(event: str) -> str:
    texts = {
        "acknowledge": _("acknowledged the referral"),
        "accept": _("accepted the referral"),
        "reject": _("rejected the referral"),
        "complete": _("completed the referral and sent feedback"),
        "message": _("wrote a message about the referral"),
    }
    return texts.get(event, event)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # noqa: BLE001 - a mail server must never undo or break the action
        log.exception("could not send a referral notification to %s", ", ".join(recipients))


def notify_owner(referral, event: str, *, actor=None, on_behalf: bool = False) -> None:
    """Tell the case's owner that the institution answered (after commit; only if they have an
    e-mail address and did not record the answer themselves)."""
    owner = referral.case.owner
    if not owner.email or not owner.is_active or (actor is not None and actor.pk == owner.pk):
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(centre)s] %(case)s: %(institution)s %(event)s") % {
            "centre": settings.SMARTSAFE_CENTRE_NAME,
            "case": referral.case.reference,
            "institution": referral.institution.name,
            "event": _event_text(event),
        }
        lines = [
            _("Case %(case)s, referral to %(institution)s.")
            % {
                "case": referral.case.reference,
                "institution": referral.institution.name,
            },
            _("The institution %(event)s.") % {"event": _event_text(event)},
        ]
        if on_behalf:
            lines.append(
                _("The answer was recorded by %(person)s on the institution's behalf.") % {"person": actor}
            )
        lines.append(_("Open the case in the platform to read it; the details are not sent by e-mail."))
    body = "\n\n".join(str(line) for line in lines)
    recipient = owner.email
    transaction.on_commit(lambda: _send(str(subject), body, [recipient]))


def send_now(subject: str, body: str, recipients: list[str]) -> None:
    """For the scheduled job: send at once and let a failure propagate (the job retries)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


# --- the overdue job's e-mails (tasks.check_overdue_referrals) -----------------------------------


def reminder(referral, deadline: str, due) -> tuple[str, str]:
    """Subject and body of the reminder to the institution, in its packet's language."""
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


def escalation(referral, deadline: str, due) -> tuple[str, str]:
    """Subject and body of the escalation to the supervisors, in the centre's language."""
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
