"""Routing suggestions: which institutions a case should go to, from rules an admin edits.

A ``RoutingRule`` matches a case by category (or any category), and optionally only when the case
is urgent (``urgent_only``). It names either one institution (the national police department,
the prosecutor, the hotline) or an institution *type*, resolved against the case's municipality
through the directory (``directory.queries.institutions_for``: the municipality's own institution,
else the regional one covering it, else the national one). The type ``platform`` resolves to the
trust-and-safety teams of the platforms recorded on the case.

``severe_only`` rules are offered unticked unless the case is urgent: the counsellor decides.
The counsellor always confirms or changes the list; nothing is sent from a suggestion.
Institutions the case already has a live referral to are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from smartsafe.directory.models import Institution
from smartsafe.directory.queries import institutions_for

from .models import Referral, ReferralState, RoutingRule

PLATFORM_KIND = "platform"

# Platforms (taxonomy codes) run by a company whose trust-and-safety entry covers several of them.
# Any other platform ``x`` is looked up as the institution ``platform-x``.
PLATFORM_OWNERS = {
    "facebook": "platform-meta",
    "instagram": "platform-meta",
    "messenger": "platform-meta",
    "whatsapp": "platform-meta",
    "threads": "platform-meta",
    "youtube": "platform-google",
}


@dataclass
class Suggestion:
    institution: Institution
    kind: str
    reason: str
    preselected: bool
    rules: list[int] = field(default_factory=list)

    def __iter__(self):
        # ``institution, kind, reason, preselected = suggestion`` reads like the tuple it stands for.
        return iter((self.institution, self.kind, self.reason, self.preselected))


def _rules_for(case, category_ids: set[int]):
    rules = RoutingRule.objects.filter(active=True).select_related("category", "institution")
    return [
        rule
        for rule in rules
        if (rule.category_id is None or rule.category_id in category_ids)
        and (case.urgent or not rule.urgent_only)
    ]


def _platform_institutions(case) -> list[Institution]:
    codes = []
    for platform in case.platforms.all():
        code = PLATFORM_OWNERS.get(platform.code, f"platform-{platform.code}")
        if code not in codes:
            codes.append(code)
    found = {i.code: i for i in Institution.objects.filter(code__in=codes, active=True)}
    return [found[code] for code in codes if code in found]


def _resolve(rule: RoutingRule, case) -> list[Institution]:
    if rule.institution_id:
        return [rule.institution] if rule.institution.active else []
    if not rule.institution_kind:
        return []
    if rule.institution_kind == PLATFORM_KIND:
        return _platform_institutions(case)
    candidates = list(institutions_for(rule.institution_kind, case.municipality))
    if not candidates:
        return []
    if case.municipality_id is None:
        # No place known: only the national body of that type, never a random local one.
        return [i for i in candidates if i.level == Institution.Level.NATIONAL][:1]
    nearest = min(i.nearness for i in candidates)
    return [i for i in candidates if i.nearness == nearest]


def _reason(rule: RoutingRule) -> str:
    if rule.category_id is None:
        base = _("every urgent case") if rule.urgent_only else _("every case")
    else:
        base = _("category “%(category)s”") % {"category": rule.category.name}
    if rule.urgent_only and rule.category_id is not None:
        base = _("%(base)s, urgent") % {"base": base}
    return f"{base}: {rule.note}" if rule.note else base


def suggest_institutions(case) -> list[Suggestion]:
    """Ordered suggestions for ``case`` (rule priority, then the directory's nearest-first order).

    Each item unpacks as ``(institution, kind, reason, preselected)``. One institution reached by
    several rules appears once, with the reasons joined and ticked if any rule ticks it.
    """
    category_ids = set(case.categories.values_list("pk", flat=True))
    taken = set(
        Referral.objects.filter(case=case)
        .exclude(state=ReferralState.REVOKED)
        .values_list("institution_id", flat=True)
    )
    suggestions: dict[int, Suggestion] = {}
    for rule in _rules_for(case, category_ids):
        preselected = case.urgent or not rule.severe_only
        for institution in _resolve(rule, case):
            if institution.pk in taken:
                continue
            existing = suggestions.get(institution.pk)
            reason = _reason(rule)
            if existing is None:
                suggestions[institution.pk] = Suggestion(
                    institution, rule.kind, reason, preselected, [rule.pk]
                )
            else:
                existing.preselected = existing.preselected or preselected
                if reason not in existing.reason:
                    existing.reason = f"{existing.reason}; {reason}"
                existing.rules.append(rule.pk)
    return list(suggestions.values())
