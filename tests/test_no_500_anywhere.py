"""Every GET route of the site, for every role and for anonymous visitors, answers below 500.

The URLconf is walked, so a page added later is covered without touching this file. Route
arguments are filled with real objects (a case, a contact) and with junk, since both must be safe.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from smartsafe import testing

ROLES = ["counsellor", "supervisor", "auditor", "analyst", "prevention", "admin", "liaison", None]
SKIP_PREFIXES = ("admin/", "static/", "media", "__")  # Django admin is Django's own, well-tested code
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue  # regex patterns (none of ours)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _fill(route: str, values: dict) -> list[str]:
    def real(match):
        converter, name = match.group("converter") or "str", match.group("name")
        if converter == "int":
            return str(values["case_pk"] if "case" in name else values["int"])
        return values["reference"] if name in ("reference", "ref") else values["str"]

    def junk(match):
        return "999999" if (match.group("converter") or "str") == "int" else "no-such-thing"

    return ["/" + PARAMETER.sub(real, route), "/" + PARAMETER.sub(junk, route)]


@pytest.mark.django_db
def test_no_get_route_answers_500(client):
    author = testing.make_user("counsellor")
    contact = testing.make_contact(author)
    case = testing.make_case(author, contacts=[contact])
    values = {"int": contact.pk, "case_pk": case.pk, "reference": case.reference, "str": case.reference}
    urls = sorted(
        {url for route in _routes() if not route.startswith(SKIP_PREFIXES) for url in _fill(route, values)}
    )
    assert len(urls) > 40, "the URLconf walk found the site's pages"
    police = testing.make_institution("police-smoke", "police")
    failures = []
    for role in ROLES:
        client.logout()
        if role is not None:
            user = testing.make_user(role, institution=police if role == "liaison" else None)
            client.force_login(user)
        for url in urls:
            response = client.get(url, {"page": "abc", "from": "not-a-date", "search": "<script>"})
            if response.status_code >= 500:
                failures.append(f"{role or 'anonymous'} GET {url} → {response.status_code}")
    assert not failures, "\n".join(failures)
