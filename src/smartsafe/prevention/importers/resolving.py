"""Stage 2 of the import of past events: the names in a row → the records they mean.

Municipality, topics, partners and presenters are looked up by code or by folded name; anything
unknown or ambiguous is a ``RowError`` naming the column, every problem of the row at once.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from smartsafe.core.text import fold
from smartsafe.directory.models import Organisation
from smartsafe.taxonomy.models import Category, Municipality

from ..models import home_country
from .parsing import RowError, _problem


def _municipality(values: dict):
    given = values["municipality"]
    if not given:
        return None
    country = values["country"] or None
    candidates = Municipality.objects.all()
    if country:
        candidates = candidates.filter(country__iexact=country)
    found = candidates.filter(code__iexact=given).first()
    if found:
        return found
    key = fold(given)
    matches = [m for m in candidates.filter(active=True) if key in (fold(m.name_sr), fold(m.name_en))]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        options = ", ".join(m.code for m in matches[:4])
        raise RowError(
            _problem(
                "municipality",
                _("%(value)r is ambiguous; use its code (%(options)s)")
                % {"value": given[:40], "options": options},
            )
        )
    raise RowError(_problem("municipality", _("unknown %(value)r") % {"value": given[:40]}))


def _topics(names: list[str]) -> list:
    found = []
    for name in names:
        key = fold(name)
        match = Category.objects.filter(code__iexact=name).first() or next(
            (c for c in Category.objects.all() if key in (fold(c.name_sr), fold(c.name_en))), None
        )
        if match is None:
            raise RowError(_problem("topics", _("unknown %(value)r") % {"value": name[:40]}))
        found.append(match)
    return found


def _partners(names: list[str]) -> list:
    found = []
    for name in names:
        matches = list(
            Organisation.objects.filter(
                Q(slug__iexact=name) | Q(acronym__iexact=name) | Q(name__iexact=name)
            )[:2]
        )
        if len(matches) != 1:
            message = _("ambiguous %(value)r (use its code)") if matches else _("unknown %(value)r")
            raise RowError(_problem("partners", message % {"value": name[:40]}))
        found.append(matches[0])
    return found


def _presenters(names: list[str]) -> list:
    users = get_user_model().objects.filter(is_active=True)
    found = []
    for name in names:
        user = users.filter(username__iexact=name).first()
        if user is None:
            raise RowError(_problem("presenters", _("no active account %(value)r") % {"value": name[:40]}))
        found.append(user)
    return found


def resolve(values: dict) -> dict:
    """Look up the row's references; ``RowError`` listing every one that is unknown."""
    problems, resolved = [], dict(values)
    for name, finder, arg in (
        ("municipality", _municipality, values),
        ("topics", _topics, values["topics"]),
        ("partners", _partners, values["partners"]),
        ("presenters", _presenters, values["presenters"]),
    ):
        try:
            resolved[name] = finder(arg)
        except RowError as exc:
            problems.extend(exc.messages)
    if problems:
        raise RowError(problems)
    municipality = resolved["municipality"]
    if municipality is not None:
        if values["country"] and municipality.country.upper() != values["country"]:
            raise RowError(_problem("municipality", _("not in the row's country")))
        resolved["country"] = municipality.country.upper()
    resolved["country"] = resolved["country"] or home_country()
    return resolved
