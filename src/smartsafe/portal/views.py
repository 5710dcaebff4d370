"""The public pages: the guided report (four steps, no JavaScript needed), the receipt shown
once, and "Check my report". Parse → act (actions.py) → respond; nothing here writes itself.

The draft's token lives in the session; the draft itself (answers and sealed files) on the server,
so Back, Next and every error keep everything typed and every file accepted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import actions, completeness, files, queries, ratelimit, submissions, tokens
from . import answers as report_answers
from .forms import AdditionForm, CategoryForm, CheckForm, DetailsForm, ReporterForm, capture
from .models import ReportDraft

DRAFT_KEY = "portal_draft"
RECEIPT_KEY = "portal_receipt"
CHECKED_KEY = "portal_checked"
ADDITION_DRAFTS_KEY = "portal_addition_drafts"  # {report reference: draft token}
STEPS = {1: "what", 2: "details", 3: "evidence", 4: "about"}


# --- helpers ---------------------------------------------------------------------------------------


def render(request, template: str, context: dict | None = None, status: int = 200):
    context = {"EMERGENCY_NUMBER": settings.SMARTSAFE_EMERGENCY_NUMBER, **(context or {})}
    return django_render(request, template, context, status=status)


def _draft(request, *, create: bool = False) -> ReportDraft | None:
    token = request.session.get(DRAFT_KEY)
    draft = queries.live_draft(token)
    if draft is None and create:
        draft = actions.new_draft()
        request.session[DRAFT_KEY] = draft.token
    return draft


def _raw(draft, step: str) -> dict:
    value = (draft.data if draft else {}).get(step)
    return value if isinstance(value, dict) else {}


def _category(draft) -> str | None:
    form = CategoryForm(data=_raw(draft, "what"))
    return form.cleaned_data["category"] if form.is_valid() else None


def _details_form(draft, category: str, **kwargs) -> DetailsForm:
    return DetailsForm(category=category, **kwargs)


def _first_open_step(draft) -> int:
    """The first step that still needs an answer (3, the files, is optional)."""
    category = _category(draft)
    if category is None:
        return 1
    if not _details_form(draft, category, data=_raw(draft, "details")).is_valid():
        return 2
    return 4


def _step_url(step: int) -> str:
    return reverse("portal:report_step", args=[step])


def _too_many(request, seconds: int):
    response = render(
        request, "portal/too_many.html", {"message": ratelimit.wait_message(seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


def _page(request, template: str, step: int, draft, **context):
    context.update(step=step, steps=range(1, 5), category=_category(draft))
    return render(request, template, context)


def _accepted(draft):
    return list(draft.files.only("pk", "name", "size")) if draft else []


# --- the guided report -----------------------------------------------------------------------------


def report_start(request):
    return redirect(_step_url(1))


@never_cache
@require_http_methods(["GET", "POST"])
def report_step(request, step: int):
    if step not in STEPS:
        raise Http404
    draft = _draft(request, create=request.method == "POST")
    first_open = _first_open_step(draft)
    if step > first_open:
        return redirect(_step_url(first_open))
    return {1: _what, 2: _details, 3: _evidence, 4: _about}[step](request, draft)


def _what(request, draft):
    if request.method == "POST":
        form = CategoryForm(data=request.POST)
        actions.save_step(draft, "what", capture(form, request.POST))
        if form.is_valid():
            return redirect(_step_url(2))
    else:
        form = CategoryForm(initial=_raw(draft, "what"))
    choices = [(radio, form.hints.get(radio.data["value"], "")) for radio in form["category"]]
    return _page(request, "portal/report/what.html", 1, draft, form=form, choices=choices)


def _details(request, draft):
    category = _category(draft)
    if request.method == "POST":
        form = _details_form(draft, category, data=request.POST)
        actions.save_step(draft, "details", capture(form, request.POST))
        if request.POST.get("go") == "back":
            return redirect(_step_url(1))
        if form.is_valid():
            return redirect(_step_url(3))
    else:
        form = _details_form(draft, category, initial=_raw(draft, "details") or None)
    return _page(
        request,
        "portal/report/details.html",
        2,
        draft,
        form=form,
        allows_files=completeness.allows_files(category),
    )


def _evidence(request, draft):
    category = _category(draft)
    allows = completeness.allows_files(category)
    errors = []
    if request.method == "POST":
        if allows:  # for csam a posted file is never even read
            if request.POST.get("remove"):
                actions.remove_draft_file(
                    draft, request.POST["remove"] if request.POST["remove"].isdigit() else 0
                )
            kept = _accepted(draft)
            already, count = sum(f.size for f in kept), len(kept)
            for upload in request.FILES.getlist("files"):
                try:
                    name, data = files.read(upload, already=already, count=count)
                except files.FileRefused as exc:
                    errors.append(str(exc))
                    continue
                actions.add_draft_file(draft, name=name, data=data)
                already, count = already + len(data), count + 1
        go = request.POST.get("go")
        if not errors and go == "back":
            return redirect(_step_url(2))
        if not errors and go == "next":
            return redirect(_step_url(4))
        if not errors:
            return redirect(_step_url(3))
    return _page(
        request,
        "portal/report/evidence.html",
        3,
        draft,
        allows_files=allows,
        errors=errors,
        accepted=_accepted(draft),
        max_file_mb=files.max_file_bytes() // files.MB,
        max_files=files.max_files(),
    )


def _about(request, draft):
    if request.method != "POST":
        form = ReporterForm(initial=_raw(draft, "about") or None)
        return _page(request, "portal/report/about.html", 4, draft, form=form, accepted=_accepted(draft))
    form = ReporterForm(data=request.POST)
    actions.save_step(draft, "about", capture(form, request.POST))
    if request.POST.get("go") == "back":
        return redirect(_step_url(3))
    if not form.is_valid():
        return _page(request, "portal/report/about.html", 4, draft, form=form, accepted=_accepted(draft))
    if (wait := ratelimit.hit(request, "report")) is not None:
        return _too_many(request, wait)
    if form.cleaned_data.get("website"):
        receipt = actions.fake_receipt()  # a bot: nothing is kept, and it cannot tell
    else:
        receipt = _file_report(request, draft, form)
    actions.discard_draft(draft)
    request.session.pop(DRAFT_KEY, None)
    request.session[RECEIPT_KEY] = {"reference": receipt.reference, "secret": receipt.secret}
    return redirect("portal:report_done")


def _file_report(request, draft, reporter_form):
    category = _category(draft)
    details = _details_form(draft, category, data=_raw(draft, "details"))
    details.is_valid()  # checked by _first_open_step before this step was reached
    reporter = reporter_form.cleaned_data
    answers = report_answers.build(
        category=category, details=details.cleaned_data, reporter=reporter, language=get_language() or ""
    )
    named = (
        [(f.name, files.unseal(f)) for f in draft.files.all()] if completeness.allows_files(category) else []
    )
    return actions.submit_report(
        answers=answers,
        named_files=named,
        via="web",
        reporter_contact=reporter.get("email") or reporter.get("phone") or "",
        reporter_name=reporter.get("name") or "",
    )


@never_cache
def report_done(request):
    """The receipt, shown once: the secret leaves the session as the page is drawn."""
    receipt = request.session.pop(RECEIPT_KEY, None)
    return render(request, "portal/report/done.html", {"receipt": receipt})


# --- check my report -------------------------------------------------------------------------------


def _checked(request) -> list[str]:
    value = request.session.get(CHECKED_KEY)
    return value if isinstance(value, list) else []


@never_cache
@require_http_methods(["GET", "POST"])
def check(request, reference: str = ""):
    canonical = tokens.normalize_reference(reference)
    if request.method == "GET" and canonical and canonical in _checked(request):
        return redirect("portal:check_status", reference=canonical)
    failed = being_registered = False
    if request.method == "POST":
        form = CheckForm(data=request.POST)
        if (wait := ratelimit.hit(request, "check")) is not None:
            return _too_many(request, wait)
        if form.is_valid():
            reference, secret = form.cleaned_data["reference"], form.cleaned_data["secret"]
            report = queries.find_report(reference, secret)
            if report is not None:
                request.session[CHECKED_KEY] = [*_checked(request), report.reference][-10:]
                return redirect("portal:check_status", reference=report.reference)
            # Sent through the API a moment ago and not yet registered (portal/submissions.py).
            being_registered = submissions.pending(reference, secret) is not None
            failed = not being_registered
    else:
        form = CheckForm(initial={"reference": canonical or ""})
    context = {"form": form, "failed": failed, "being_registered": being_registered}
    return render(request, "portal/check.html", context)


def _checked_report(request, reference: str):
    canonical = tokens.normalize_reference(reference)
    if not canonical or canonical not in _checked(request):
        return None
    return queries.report_by_reference(canonical)


@never_cache
def check_status(request, reference: str):
    report = _checked_report(request, reference)
    if report is None:
        return redirect("portal:check_reference", reference=tokens.normalize_reference(reference) or "-")
    status = queries.public_status(report)
    return render(
        request,
        "portal/check_status.html",
        {"report": report, "status": status, "added": request.GET.get("added") == "1"},
    )


def _addition_draft(request, report, *, create: bool = False) -> ReportDraft | None:
    """This session's draft of an addition to ``report``: the files already accepted while an
    error is shown. Its token sits in the session under the report's reference, and the draft
    itself names the report, so no other session and no other report can reach its files."""
    tokens_by_report = request.session.get(ADDITION_DRAFTS_KEY)
    tokens_by_report = tokens_by_report if isinstance(tokens_by_report, dict) else {}
    token = tokens_by_report.get(report.reference)
    draft = queries.live_draft(token)
    if draft is not None and _raw(draft, actions.ADDITION_STEP).get("report") != report.reference:
        draft = None
    if draft is None and create:
        draft = actions.new_addition_draft(report)
        tokens_by_report = {**tokens_by_report, report.reference: draft.token}
        request.session[ADDITION_DRAFTS_KEY] = dict(list(tokens_by_report.items())[-10:])
    return draft


def _forget_addition_draft(request, report) -> None:
    tokens_by_report = request.session.get(ADDITION_DRAFTS_KEY)
    if isinstance(tokens_by_report, dict) and report.reference in tokens_by_report:
        request.session[ADDITION_DRAFTS_KEY] = {
            key: value for key, value in tokens_by_report.items() if key != report.reference
        }


@never_cache
@require_http_methods(["GET", "POST"])
def add(request, reference: str):
    report = _checked_report(request, reference)
    if report is None:
        return redirect("portal:check_reference", reference=tokens.normalize_reference(reference) or "-")
    category = report.category.code if report.category else completeness.OTHER
    allows = completeness.allows_files(category)
    draft = _addition_draft(request, report) if allows else None
    errors = []
    if request.method == "POST":
        form = AdditionForm(data=request.POST)
        if (wait := ratelimit.hit(request, "check")) is not None:
            return _too_many(request, wait)
        named = []
        if allows:
            if draft is not None:  # ticked "Remove" boxes take those kept files out
                for file_id in request.POST.getlist("remove"):
                    actions.remove_draft_file(draft, file_id if file_id.isdigit() else 0)
            kept = _accepted(draft)
            already, count = sum(f.size for f in kept), len(kept)
            for upload in request.FILES.getlist("files"):
                try:
                    name, data = files.read(upload, already=already, count=count)
                except files.FileRefused as exc:
                    errors.append(str(exc))
                    continue
                named.append((name, data))
                already, count = already + len(data), count + 1
        if form.is_valid() and not errors:
            if not form.cleaned_data["text"].strip() and not named and not _accepted(draft):
                form.add_error("text", _("Write something or choose a file to send."))
            else:
                actions.add_information(
                    report=report,
                    text=form.cleaned_data["text"],
                    named_files=named,
                    urgent=form.cleaned_data["in_danger"],
                    via="web",
                    draft=draft,
                )
                _forget_addition_draft(request, report)
                return redirect(reverse("portal:check_status", args=[report.reference]) + "?added=1")
        if named:  # an error is shown: the files that passed wait in the draft, sealed
            draft = draft or _addition_draft(request, report, create=True)
            for name, data in named:
                actions.add_draft_file(draft, name=name, data=data)
    else:
        form = AdditionForm()
    return render(
        request,
        "portal/add.html",
        {
            "report": report,
            "form": form,
            "errors": errors,
            "accepted": _accepted(draft),
            "allows_files": allows,
            "max_file_mb": files.max_file_bytes() // files.MB,
        },
    )
