"""``{% evidence_panel case=case %}`` / ``{% evidence_panel contact=contact %}``.

Pages of lower layers (cases, intake) show the vault's panel through this tag, so their Python
code never imports the evidence app: dependencies keep pointing one way.
"""

from django import template

from smartsafe.evidence.queries import panel_context

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context, case=None, contact=None):
    values = panel_context(context["request"].user, case=case, contact=contact)
    return {
        **values,
        "files": values["evidence_files"],
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
