"""The landing page after login: a counsellor's dashboard, or a short signpost for other roles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from smartsafe.accounts.roles import CASEWORK_ROLES, Role
from smartsafe.cases import queries as case_queries
from smartsafe.cases.models import CaseState
from smartsafe.intake import queries as contact_queries
from smartsafe.intake.models import ContactState, NonDataKind

DASHBOARD_ROWS = 10
OPEN_CONTACT_STATES = (ContactState.NEW, ContactState.TRIAGED)


@login_required
def home(request):
    user = request.user
    if user.role in CASEWORK_ROLES:
        return render(request, "site/dashboard.html", _casework(user))
    return render(request, "site/landing.html", {"role": user.role, "Role": Role})


def _casework(user) -> dict:
    contacts = contact_queries.inbox(user)
    cases = case_queries.case_list(user).exclude(state=CaseState.CLOSED)
    context = {
        "urgent_contacts": list(contacts.filter(urgent=True, state__in=OPEN_CONTACT_STATES)[:DASHBOARD_ROWS]),
        "recent_contacts": list(contacts.filter(state=ContactState.NEW)[:DASHBOARD_ROWS]),
        "new_count": contact_queries.contacts_visible_to(user).filter(state=ContactState.NEW).count(),
        "urgent_cases": list(cases.filter(urgent=True)[:DASHBOARD_ROWS]),
        "my_cases": list(
            cases.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True, owner=user))[:DASHBOARD_ROWS]
        ),
        "non_data_kinds": NonDataKind.choices,
        "is_supervisor": user.role == Role.SUPERVISOR,
    }
    context["urgent_total"] = len(context["urgent_contacts"]) + len(context["urgent_cases"])
    if context["is_supervisor"]:
        context["unassigned_count"] = (
            contact_queries.contacts_visible_to(user)
            .filter(state__in=OPEN_CONTACT_STATES, assigned_to__isnull=True)
            .count()
        )
    # What the dashboard shows of contacts and cases is a read like any list: audit it once each.
    shown_contacts = {c.pk for c in context["urgent_contacts"] + context["recent_contacts"]}
    contact_queries.record_list_read(user, filters={"view": ["dashboard"]}, count=len(shown_contacts))
    shown_cases = {c.pk for c in context["urgent_cases"] + context["my_cases"]}
    case_queries.record_list_read(user, filters={"view": ["dashboard"]}, count=len(shown_cases))
    return context
