"""Who sees which statistics (docs/statistics.md, "Who sees what").

- analysts, supervisors, administrators: the whole dashboard, exports, the annual report, returns;
- counsellors: the dashboard and its exports without the per-counsellor workload (colleagues'
  output is for supervisors and analysts);
- the API summary: analysts and supervisors only (tokens for automated reporting);
- prevention coordinators: no staff dashboard — their totals are on the prevention pages;
- liaisons and auditors: none. The public page (aggregates, small cells suppressed) is open to all.
"""

from __future__ import annotations

from smartsafe.accounts.roles import Role

DASHBOARD_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN, Role.COUNSELLOR})
WORKLOAD_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
API_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR})


def _role(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.role


def can_view_dashboard(user) -> bool:
    return _role(user) in DASHBOARD_ROLES


def can_view_workload(user) -> bool:
    return _role(user) in WORKLOAD_ROLES


def can_produce_reports(user) -> bool:
    """The annual report and the CHI / Insafe returns."""
    return _role(user) in WORKLOAD_ROLES
