"""Titles the platform writes itself ("Web report: Threats and blackmail"), rendered when shown.

A generated title is stored as a template code and its arguments (stable codes, never words), so
each counsellor reads it in the language of their own page, whatever language the reporter wrote
in. The plain text is also stored — in the centre's language — for search, the API and exports;
a title a person typed has no template and is shown as typed.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import Category, Channel

WEB_REPORT = "web_report"
REPORT_ADDITION = "report_addition"
MESSENGER = "messenger"


def _category(code: str) -> str:
    term = taxonomy_cache.by_code(Category, code or "")
    return term.name if term else code


def _channel_kind(code: str) -> str:
    term = taxonomy_cache.by_code(Channel, code or "")
    return term.name if term else code


def render(template: str, args: dict | None) -> str | None:
    """The title in the active language, or None for no (or an unknown) template."""
    args = args or {}
    if template == WEB_REPORT:
        return _("Web report: %(category)s") % {"category": _category(args.get("category", ""))}
    if template == REPORT_ADDITION:
        return _("More information for public report %(reference)s") % {
            "reference": args.get("reference", "")
        }
    if template == MESSENGER:
        return _("Message on %(channel)s") % {"channel": _channel_kind(args.get("channel", ""))}
    return None


def stored(template: str, args: dict, limit: int = 250) -> str:
    """The plain text kept beside the template: in the centre's language, for search and exports."""
    with translation.override(settings.LANGUAGE_CODE):
        return (render(template, args) or "")[:limit]
