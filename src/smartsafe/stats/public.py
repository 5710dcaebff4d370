"""The public statistics page: yearly aggregates only, small cells suppressed.

Rule: any published count below ``THRESHOLD`` (5) is shown as "<5" — zero included, so a zero
cannot be told apart from a small number. When exactly one cell of a breakdown is suppressed, the
next smallest cell is suppressed too, so the hidden one cannot be recovered by subtracting the
others from the total. Only the year can be chosen; breakdowns are by kind of channel and by
category — nothing finer, nothing that could single out a person.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from smartsafe.taxonomy.models import Category, Channel

from . import queries

THRESHOLD = 5
HIDDEN = "<5"


def suppress_value(n: int):
    return HIDDEN if n < THRESHOLD else n


def suppress(items: list[tuple[str, int]]) -> list[tuple[str, object]]:
    shown = [(label, suppress_value(n)) for label, n in items]
    hidden = [i for i, (_label, v) in enumerate(shown) if v == HIDDEN]
    if len(hidden) == 1:
        rest = sorted((n, i) for i, (_label, n) in enumerate(items) if i not in hidden)
        if rest:
            i = rest[0][1]
            shown[i] = (shown[i][0], HIDDEN)
    return shown


def figures(year: int | None) -> dict:
    date_from = dt.date(year, 1, 1) if year else None
    date_to = dt.date(year, 12, 31) if year else None
    kinds = dict(Channel.Kind.choices)
    by_kind = queries.contacts_by_channel_kind(date_from, date_to)
    cases = queries.case_totals(date_from, date_to)
    referred = queries.referred_by_category(date_from, date_to)
    names = {c.code: c.name for c in Category.objects.filter(code__in=list(referred))}
    prevention = queries.prevention(date_from, date_to)
    return {
        "contacts_total": suppress_value(sum(by_kind.values())),
        "contacts_by_kind": suppress([(str(kinds.get(k, k)), n) for k, n in by_kind.items()]),
        "cases_total": suppress_value(cases["total"]),
        "cases": suppress([(_("Advisory"), cases["advisory"]), (_("Referred"), cases["referred"])]),
        "referred_by_category": suppress([(names.get(c, c), n) for c, n in referred.items()]),
        "prevention": [
            (_("Presentations and other events"), suppress_value(prevention["events"])),
            (_("Pupils"), suppress_value(prevention["pupils"])),
            (_("Parents"), suppress_value(prevention["parents"])),
            (_("Primary schools"), suppress_value(prevention["primary_schools"])),
            (_("Secondary schools"), suppress_value(prevention["secondary_schools"])),
        ],
    }
