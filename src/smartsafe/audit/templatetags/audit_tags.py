from django import template

from smartsafe.audit import codes

register = template.Library()


@register.filter
def code_description(code: str) -> str:
    """What an event code means, for the auditor ("" for a code nobody registered)."""
    return codes.describe(code)


@register.filter
def outcome_label(outcome: str) -> str:
    return str(codes.OUTCOMES.get(outcome, outcome))
