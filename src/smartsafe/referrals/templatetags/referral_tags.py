"""Referrals on other apps' pages, and display helpers for the referral pages.

- ``{% referrals_panel case=case %}``: the case page's "Referrals" panel;
- ``{% referral_dashboard %}``: the supervisor's items on the dashboard (awaiting approval, overdue).

Pages of lower layers (cases, core) show these through the template tags, so their Python code
never imports the referrals app: dependencies keep pointing one way.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import queries
from ..models import DeliveryStatus
from ..packet_pdf import format_when
from ..permissions import can_read_all_referrals, can_work_referrals, is_supervisor
from ..presenters import can_retry, current_deadline, last_answer, with_events

register = template.Library()

# How many rows each dashboard item shows; the full lists are on the referrals page.
DASHBOARD_ROWS = 10


@register.filter
def packet_when(value, zone: str = "") -> str:
    """A packet time (ISO 8601 with offset) as ``2026-03-01 14:05 +01:00 (Europe/Belgrade)``."""
    return format_when(value, zone or "", none=_("not recorded"))


@register.inclusion_tag("referrals/_state_badge.html")
def referral_state(referral):
    return {"referral": referral}


@register.inclusion_tag("referrals/_delivery.html", takes_context=True)
def referral_delivery(context, referral, retry_next: str = ""):
    """The delivery status: a failed e-mail reads "sent — delivery failed: <error>", with Retry."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "referral": referral,
        "failed": referral.delivery_status == DeliveryStatus.FAILED,
        "can_retry": user is not None and can_retry(user, referral),
        "retry_next": retry_next,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("referrals/_panel.html", takes_context=True)
def referrals_panel(context, case):
    request = context["request"]
    user = request.user
    if not can_read_all_referrals(user):
        return {"show": False}
    referrals = list(with_events(queries.referrals_of_case(user, case)).select_related("institution"))
    queries.record_list_read(user, filters={"case": [case.reference]}, count=len(referrals))
    rows = []
    for referral in referrals:
        deadline_at, deadline_label, overdue = current_deadline(referral)
        rows.append(
            {
                "referral": referral,
                "deadline_at": deadline_at,
                "deadline_label": deadline_label,
                "overdue": overdue,
                "answer": last_answer(referral),
            }
        )
    return {
        "show": True,
        "case": case,
        "rows": rows,
        "can_refer": can_work_referrals(user) and case.state != "closed",
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "case_url": reverse("cases:detail", kwargs={"reference": case.reference}) + "#referrals",
    }


@register.inclusion_tag("referrals/_dashboard.html", takes_context=True)
def referral_dashboard(context):
    """The supervisor's referral items; nothing for anyone else."""
    request = context["request"]
    user = request.user
    if not is_supervisor(user):
        return {"show": False}
    pending = queries.pending_approval_referrals(user)
    overdue = queries.overdue_referrals(user)
    shown = {
        "pending": list(pending[:DASHBOARD_ROWS]),
        "pending_count": pending.count(),
        "overdue": [{"referral": r, "deadline": current_deadline(r)} for r in overdue[:DASHBOARD_ROWS]],
        "overdue_count": overdue.count(),
    }
    count = len({r.pk for r in shown["pending"]} | {row["referral"].pk for row in shown["overdue"]})
    queries.record_list_read(user, filters={"view": ["dashboard"]}, count=count)
    return {
        "show": True,
        **shown,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "home": reverse("home"),
    }
