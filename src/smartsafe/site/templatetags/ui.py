"""Template helpers for the staff interface: the navigation and small display filters.

The navigation is computed here, not in templates, so that which sections a role sees follows the
same permission functions the views use.
"""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from smartsafe.accounts.roles import Role
from smartsafe.advice.permissions import can_write_articles
from smartsafe.cases.permissions import can_read_cases
from smartsafe.directory.permissions import can_browse_directory
from smartsafe.intake.permissions import can_log_contacts, can_read_contacts
from smartsafe.jobs.permissions import can_attend_tasks
from smartsafe.prevention.permissions import can_read_calendar
from smartsafe.referrals.permissions import can_read_all_referrals
from smartsafe.stats.permissions import can_view_dashboard

register = template.Library()


def _url(name: str, query: str = "") -> str | None:
    # A section whose URL is not installed (an optional app switched off) is simply not shown.
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def _section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace == "intake":
        return "log" if match.url_name == "new" else "inbox"
    if match.namespace in ("cases", "audit"):
        return match.namespace
    if match.namespace == "inbox" and match.url_name == "callbacks":
        return "callbacks"
    if match.url_name in ("api-docs", "api-redoc"):
        return "api"
    if match.url_name == "home":
        return "dashboard"
    if match.namespace == "stats":
        return "statistics"
    if match.namespace == "jobs":
        return "attention"
    return match.namespace or ""


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    """The sections ``user`` may open, in order, with the current one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = [("dashboard", _("Dashboard"), _url("home"))]
    if can_read_contacts(user):
        items.append(("inbox", _("Inbox"), _url("intake:inbox")))
    if can_log_contacts(user):
        items.append(("log", _("Log a call"), _url("intake:new")))
        items.append(("callbacks", _("Call-backs"), _url("inbox:callbacks")))
    if can_read_cases(user):
        items.append(("cases", _("Cases"), _url("cases:list")))
    if can_read_all_referrals(user):
        items.append(("referrals", _("Referrals"), _url("referrals:list")))
    elif user.role == Role.LIAISON:
        # An institution's liaison works in the portal: only their own institution's referrals.
        items.append(("referrals", _("Referrals"), _url("referrals:portal")))
    if can_browse_directory(user):
        items.append(("directory", _("Directory"), _url("directory:index")))
    if can_write_articles(user):
        items.append(("advice", _("Advice"), _url("advice:staff_list")))
    if can_read_calendar(user):
        items.append(("prevention", _("Prevention"), _url("prevention:calendar")))
    if can_view_dashboard(user):
        items.append(("statistics", _("Statistics"), _url("stats:dashboard")))
    if user.role == Role.AUDITOR:
        items.append(("audit", _("Audit"), _url("audit:list")))
        items.append(("privacy", _("Privacy"), _url("privacy:home")))
    if can_attend_tasks(user):
        items.append(("attention", _("Needs attention"), _url("jobs:needs_attention")))
    if user.role != Role.LIAISON:
        items.append(("api", _("API docs"), _url("api-docs")))
    if user.role == Role.ADMIN:
        items.append(("admin", _("Administration"), _url("admin:index")))
    current = _section(request)
    return [{"key": k, "label": label, "url": url, "active": k == current} for k, label, url in items if url]


@register.filter
def excerpt(text: str, length: int = 140) -> str:
    """One line of ``text``: whitespace collapsed, cut at a word boundary."""
    line = " ".join((text or "").split())
    if len(line) <= length:
        return line
    cut = line[:length].rsplit(" ", 1)[0]
    return cut + "…"


@register.filter
def duration(seconds) -> str:
    """``m:ss`` or ``h:mm:ss`` for a number of seconds; empty for none."""
    if seconds in (None, ""):
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def waiting_time(since) -> str:
    """How long something has waited since ``since``, short: "25 minutes", "3 hours, 10 minutes",
    "2 days" (Django's translated ``timesince``; two units below a day, one above)."""
    if not since:
        return ""
    from django.utils import timezone
    from django.utils.timesince import timesince

    depth = 2 if (timezone.now() - since).days < 1 else 1
    return timesince(since, depth=depth)
