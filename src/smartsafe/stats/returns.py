"""Returns to the networks the centre belongs to, counted from the category mappings
(taxonomy.Category.chi_code / insafe_code; labels in taxonomy/frameworks.py).

- Child Helpline International, annual data: contacts by mode of contact, then reasons for contact
  per CHI category (cases by their categories, and contacts by their topics).
- Insafe helpline, quarterly: contacts by channel, then contacts and cases per Insafe category.

Both are tables (section, code, label, value) for CSV or XLSX; a category without a mapping is
counted under "unmapped" so the totals still add up and the gap is visible.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext as _

from smartsafe.taxonomy.frameworks import chi_label, insafe_label

from . import queries
from .models import CaseCategoryDaily, ContactTopicDaily

# Our channel kinds → CHI "mode of contact".
CHI_CONTACT_MODES = {
    "phone": "telephone",
    "email": "email",
    "web": "web_form",
    "chat": "chat",
    "social": "social_media_messaging",
    "in_person": "face_to_face",
    "letter": "letter",
    "other": "other",
}


def _by_mapping(model, field: str, date_from, date_to, **extra) -> dict[str, int]:
    queries.drain()
    rows = (
        queries._period(model.objects.filter(**extra), date_from, date_to)
        .order_by()
        .values(f"category__{field}")
        .annotate(n=Sum("count"))
    )
    out: dict[str, int] = {}
    for row in rows:
        code = row[f"category__{field}"] or "unmapped"
        out[code] = out.get(code, 0) + (row["n"] or 0)
    return dict(sorted(out.items()))


COLUMNS = ("section", "code", "label", "value")


def chi_annual(year: int) -> tuple[str, list, list]:
    date_from, date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows: list[list] = []
    by_kind = queries.contacts_by_channel_kind(date_from, date_to)
    rows.append(["contacts", "total", _("Total contacts"), sum(by_kind.values())])
    for kind, n in by_kind.items():
        rows.append(["mode_of_contact", CHI_CONTACT_MODES.get(kind, "other"), kind, n])
    for code, n in _by_mapping(CaseCategoryDaily, "chi_code", date_from, date_to).items():
        rows.append(
            ["reason_for_contact_cases", code, chi_label(code) if code != "unmapped" else _("Unmapped"), n]
        )
    for code, n in _by_mapping(ContactTopicDaily, "chi_code", date_from, date_to).items():
        rows.append(
            ["reason_for_contact_contacts", code, chi_label(code) if code != "unmapped" else _("Unmapped"), n]
        )
    return f"CHI {year}", list(COLUMNS), rows


def insafe_quarterly(year: int, quarter: int) -> tuple[str, list, list]:
    first_month = 3 * (quarter - 1) + 1
    date_from = dt.date(year, first_month, 1)
    date_to = (dt.date(year + (quarter == 4), (first_month + 3 - 1) % 12 + 1, 1)) - dt.timedelta(days=1)
    rows: list[list] = []
    by_kind = queries.contacts_by_channel_kind(date_from, date_to)
    rows.append(["contacts", "total", _("Total contacts"), sum(by_kind.values())])
    for kind, n in by_kind.items():
        rows.append(["channel", kind, kind, n])
    for code, n in _by_mapping(ContactTopicDaily, "insafe_code", date_from, date_to).items():
        rows.append(["topic_contacts", code, insafe_label(code) if code != "unmapped" else _("Unmapped"), n])
    for code, n in _by_mapping(CaseCategoryDaily, "insafe_code", date_from, date_to).items():
        rows.append(["topic_cases", code, insafe_label(code) if code != "unmapped" else _("Unmapped"), n])
    return f"Insafe {year} Q{quarter}", list(COLUMNS), rows
