"""E-mails about referrals, sent after the writing transaction commits.

A notification never decides whether an action succeeded: it is queued with
``transaction.on_commit`` (so a rolled-back action sends nothing) and a mail server that refuses it
is logged, not raised — the record on the case timeline is the notification that always exists.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger("smartsafe.referrals")


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
