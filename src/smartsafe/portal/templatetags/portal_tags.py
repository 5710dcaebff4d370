"""``{% portal_completeness contact_or_case %}``: the public report's completeness panel on staff pages."""

from __future__ import annotations

from django import template

from smartsafe.cases.models import Case
from smartsafe.cases.permissions import can_work_cases
from smartsafe.portal import answers as report_answers_module
from smartsafe.portal.models import PublicReport
from smartsafe.portal.queries import staff_completeness_for

register = template.Library()


@register.inclusion_tag("portal/_completeness.html", takes_context=True)
def portal_completeness(context, obj):
    """Panels for a contact or a case; nothing for contacts that did not come through the portal.

    The page that calls it has already checked (and audited) that the user may read ``obj``."""
    case = obj if isinstance(obj, Case) else getattr(obj, "case", None)
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "completeness_panels": staff_completeness_for(obj),
        "case": case,
        "can_add_artefacts": bool(case is not None and case.is_open and can_work_cases(user)),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("portal/_report_answers.html")
def report_answers(contact):
    """A web report's contact read as the reporter wrote it: their own words, then each answer as
    a labelled field in the reader's language (not the summary's text in the centre's language).
    Nothing for other contacts, which show their summary. The page has checked access already."""
    report = PublicReport.objects.filter(contact=contact).first()
    if report is None:
        return {"report": None, "contact": contact}
    answers = report.answers or {}
    return {
        "report": report,
        "contact": contact,
        "words": (answers.get("description") or "").strip(),
        "fields": report_answers_module.fields(
            answers, file_count=report.file_count, reference=report.reference
        ),
    }
