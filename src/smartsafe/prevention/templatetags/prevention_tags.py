"""Template helpers of the prevention pages."""

from __future__ import annotations

from django import template

from smartsafe.prevention.models import country_name as _country_name
from smartsafe.prevention.permissions import can_read_prevention, can_write_prevention

register = template.Library()


@register.inclusion_tag("prevention/_tabs.html", takes_context=True)
def prevention_tabs(context, tab: str) -> dict:
    """The section tabs a role may open, with ``tab`` marked current."""
    user = context["request"].user
    return {
        "tab": tab,
        "can_read_prevention": can_read_prevention(user),
        "can_write_prevention": can_write_prevention(user),
    }


@register.filter
def country_name(code: str) -> str:
    return _country_name(code)


@register.filter
def percent(part, whole) -> str:
    """``part`` of ``whole`` as a whole percentage; empty when there is no whole."""
    try:
        return f"{round(100 * part / whole)} %" if whole else ""
    except (TypeError, ValueError, ZeroDivisionError):
        return ""
