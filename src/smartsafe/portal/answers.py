"""A report's answers as stored (JSON), and the contact summary counsellors read.

``build()`` turns the cleaned forms of the steps into one JSON-safe dict; ``summary()`` writes the
reporter's own words first and the facts after them, labelled in the centre's language.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import AgeBand, Category, Municipality, Platform

from . import forms as portal_forms


def _when(details: dict) -> dict:
    date, time = details.get("when_date"), details.get("when_time")
    zone = details.get("when_timezone") or portal_forms.DEFAULT_TIME_ZONE
    when = {
        "date": date.isoformat() if date else "",
        "time": time.strftime("%H:%M") if time else "",
        "timezone": zone,
        "unsure": bool(details.get("when_unsure")),
        "at": "",
    }
    if date and time:
        try:
            when["at"] = dt.datetime.combine(date, time, tzinfo=zoneinfo.ZoneInfo(zone)).isoformat()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return when


def build(*, category: str, details: dict, reporter: dict, language: str = "") -> dict:
    """The stored answers. ``details``/``reporter``: ``cleaned_data`` of the step forms."""
    return {
        "category": category,
        "description": details.get("description", "").strip(),
        "when": _when(details),
        "platforms": list(details.get("platforms") or []),
        "urls": list(details.get("urls") or []),
        "people": list(details.get("people") or []),
        "age_band": details.get("age_band") or "",
        "municipality": details.get("municipality") or "",
        "in_danger": details.get("in_danger") or "",
        "reported_to": list(details.get("reported_to") or []),
        "report_tickets": (details.get("report_tickets") or "").strip(),
        "reporter": reporter.get("reporter") or "",
        "anonymous": reporter.get("reply") != "contact",
        "language": language,
    }


def _names(model, codes) -> list[str]:
    return [term.name if (term := taxonomy_cache.by_code(model, code)) else code for code in codes]


def summary(answers: dict, *, file_count: int, reference: str) -> str:
    """The contact's summary: the reporter's words, then the facts. In the centre's language."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [answers.get("description", "").strip(), ""]
        category = taxonomy_cache.by_code(Category, answers.get("category"))
        chosen = portal_forms.WHAT_HAPPENED_LABELS.get(answers.get("category"), "")
        lines.append(
            _("What happened: %(choice)s (%(category)s)")
            % {"choice": chosen, "category": category.name if category else answers.get("category")}
        )
        when = answers.get("when") or {}
        if when.get("date"):
            lines.append(
                _("When: %(date)s %(time)s (%(zone)s)")
                % {
                    "date": when["date"],
                    "time": when.get("time") or _("time not given"),
                    "zone": when.get("timezone"),
                }
            )
        elif when.get("unsure"):
            lines.append(_("When: the reporter is not sure"))
        if answers.get("platforms"):
            lines.append(
                _("Where: %(platforms)s") % {"platforms": ", ".join(_names(Platform, answers["platforms"]))}
            )
        if answers.get("urls"):
            lines.append(_("Web addresses:"))
            lines += [f"- {url}" for url in answers["urls"]]
        if answers.get("people"):
            lines.append(_("Person responsible (user names, profiles):"))
            lines += [f"- {person}" for person in answers["people"]]
        if answers.get("age_band"):
            lines.append(_("Child's age: %(age)s") % {"age": _names(AgeBand, [answers["age_band"]])[0]})
        if answers.get("municipality"):
            lines.append(
                _("Municipality: %(place)s") % {"place": _names(Municipality, [answers["municipality"]])[0]}
            )
        danger = dict(portal_forms.IN_DANGER).get(answers.get("in_danger"))
        if danger:
            lines.append(_("Child in danger right now: %(answer)s") % {"answer": danger})
        if answers.get("reported_to"):
            places = ", ".join(
                str(dict(portal_forms.REPORTED_TO).get(code, code)) for code in answers["reported_to"]
            )
            lines.append(_("Already reported: %(places)s") % {"places": places})
        if answers.get("report_tickets"):
            lines.append(_("Ticket numbers: %(tickets)s") % {"tickets": answers["report_tickets"]})
        lines.append(_("Files sent: %(n)d") % {"n": file_count})
        lines.append(_("Public report %(reference)s") % {"reference": reference})
    return "\n".join(lines).strip()


def fields(answers: dict, *, file_count: int, reference: str) -> list[dict]:
    """The report's answers as labelled fields, in the reader's language, for the staff pages:
    ``{"label", "value"}`` or ``{"label", "entries"}`` (a list), in the order of the form. The
    reporter's own words are not among them (``answers["description"]``)."""
    rows: list[dict] = []

    def add(label, value=None, items=None):
        if items:
            rows.append({"label": label, "entries": list(items)})
        elif value:
            rows.append({"label": label, "value": value})

    category = taxonomy_cache.by_code(Category, answers.get("category"))
    chosen = portal_forms.WHAT_HAPPENED_LABELS.get(answers.get("category"), "")
    add(
        _("What happened"),
        f"{chosen} ({category.name})" if chosen and category else chosen or answers.get("category"),
    )
    when = answers.get("when") or {}
    if when.get("date"):
        zone = portal_forms.TIME_ZONE_NAMES.get(when.get("timezone"), when.get("timezone"))
        try:
            day = formats.date_format(dt.date.fromisoformat(when["date"]), "DATE_FORMAT")
        except ValueError:
            day = when["date"]
        add(_("When"), f"{day}, {when.get('time') or _('time not given')} ({zone})")
    elif when.get("unsure"):
        add(_("When"), _("the reporter is not sure"))
    add(_("Where"), items=_names(Platform, answers.get("platforms") or []))
    add(_("Web addresses"), items=answers.get("urls") or [])
    add(_("Person responsible (user names, profiles)"), items=answers.get("people") or [])
    if answers.get("age_band"):
        add(_("Child's age"), _names(AgeBand, [answers["age_band"]])[0])
    if answers.get("municipality"):
        add(_("Municipality"), _names(Municipality, [answers["municipality"]])[0])
    add(_("Child in danger right now"), dict(portal_forms.IN_DANGER).get(answers.get("in_danger")))
    places = [
        str(dict(portal_forms.REPORTED_TO).get(code, code)) for code in answers.get("reported_to") or []
    ]
    add(_("Already reported"), items=places)
    add(_("Ticket numbers"), answers.get("report_tickets"))
    reporters = {code: label for code, label, *_rest in portal_forms.REPORTERS}
    add(_("Reporter"), reporters.get(answers.get("reporter")))
    add(_("Wants an answer"), _("No, anonymous") if answers.get("anonymous") else _("Yes"))
    add(_("Files sent"), str(file_count))
    add(_("Public report"), reference)
    return rows
