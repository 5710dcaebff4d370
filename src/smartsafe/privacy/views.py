"""The data-protection officer's pages: retention periods, legal holds, the dry-run report, and
subject requests (access and erasure)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartsafe.site.context_processors import platform

from . import actions, erasure, policies, queries, retention, subject_access, subject_pdf
from .forms import ErasureDecisionForm, HoldForm, PolicyForm, SubjectRequestForm
from .models import RequestKind, RequestState
from .permissions import is_dpo


def _require_dpo(user) -> None:
    if not is_dpo(user):
        raise PermissionDenied(_("Only the data-protection officer may use the privacy pages."))


def _page(request, *, hold_form=None, status=200):
    rules = retention.ensure_policies()
    figures = retention.report()
    rows = [
        {
            "kind": kind,
            "policy": rules[kind.code],
            "action": policies.ACTION_LABELS[kind.does],
            "due": figures["counts"].get(kind.code),
            "cutoff": figures["cutoffs"].get(kind.code),
        }
        for kind in policies.KINDS
    ]
    context = {
        "rows": rows,
        "held": figures["held"],
        "holds": queries.active_holds(),
        "hold_form": hold_form or HoldForm(),
        "runs": queries.recent_runs(),
    }
    return render(request, "privacy/home.html", context, status=status)


@require_GET
@login_required
def home(request):
    _require_dpo(request.user)
    return _page(request)


@require_POST
@login_required
def dry_run(request):
    """Record a dry run (audited) so the officer has a dated report of what the job would do."""
    _require_dpo(request.user)
    run = retention.apply(actor=request.user, dry_run=True)
    messages.success(request, _("Dry run %(run)d recorded; nothing was changed.") % {"run": run.pk})
    return redirect("privacy:home")


@require_POST
@login_required
def set_policy(request, kind: str):
    _require_dpo(request.user)
    if kind not in policies.BY_CODE:
        raise PermissionDenied
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            actions.set_retention(actor=request.user, kind=kind, **form.cleaned_data)
            messages.success(request, _("Retention period saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give a whole number of days between 0 and 36500."))
    return redirect("privacy:home")


@require_POST
@login_required
def place_hold(request):
    _require_dpo(request.user)
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _page(request, hold_form=form, status=400)
    case = queries.case_by_reference(form.cleaned_data["case"])
    if case is None:
        form.add_error("case", _("No case has this reference."))
        return _page(request, hold_form=form, status=400)
    try:
        actions.place_hold(actor=request.user, case=case, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_error(None, " ".join(exc.messages))
        return _page(request, hold_form=form, status=400)
    messages.success(request, _("Case %(ref)s is under a legal hold.") % {"ref": case.reference})
    return redirect("privacy:home")


@require_POST
@login_required
def lift_hold(request, pk: int):
    _require_dpo(request.user)
    hold = queries.hold(pk)
    if hold is None:
        raise Http404
    actions.lift_hold(actor=request.user, hold=hold)
    messages.success(request, _("Legal hold lifted."))
    return redirect("privacy:home")


# --- subject requests -------------------------------------------------------------------------------


def _add_errors(form, exc: ValidationError) -> None:
    """The action's errors beside the field they concern (or above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _requests_page(request, form=None, status=200):
    context = {"form": form or SubjectRequestForm(), "requests": queries.subject_requests()}
    return render(request, "privacy/requests.html", context, status=status)


@require_GET
@login_required
def requests(request):
    _require_dpo(request.user)
    return _requests_page(request)


@require_POST
@login_required
def open_request(request):
    _require_dpo(request.user)
    form = SubjectRequestForm(request.POST)
    if not form.is_valid():
        return _requests_page(request, form, status=400)
    try:
        subject_request = actions.open_request(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            identity=form.cleaned_data["identity"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _requests_page(request, form, status=400)
    return redirect("privacy:request", pk=subject_request.pk)


def _request_or_404(user, pk: int):
    _require_dpo(user)
    subject_request = queries.subject_request(pk)
    if subject_request is None:
        raise Http404
    return subject_request


def _request_page(request, subject_request, decision_form=None, status=200):
    context = {
        "subject_request": subject_request,
        "contacts": subject_access.preview(subject_request.contact_ids),
        "decision_form": decision_form or ErasureDecisionForm(),
    }
    if subject_request.kind == RequestKind.ERASURE and subject_request.state == RequestState.OPEN:
        context["plan"] = erasure.plan(subject_request.contact_ids)
    return render(request, "privacy/request.html", context, status=status)


@require_GET
@login_required
def request_detail(request, pk: int):
    return _request_page(request, _request_or_404(request.user, pk))


@require_GET
@login_required
def export(request, pk: int, fmt: str):
    subject_request = _request_or_404(request.user, pk)
    if fmt not in ("json", "pdf"):
        raise Http404
    data = actions.export_dossier(actor=request.user, request=subject_request, fmt=fmt)
    name = f"subject-access-{subject_request.pk}"
    if fmt == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        centre = platform(request)["CENTRE_NAME"]
        response = HttpResponse(subject_pdf.render(data, centre=centre), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def decide(request, pk: int):
    subject_request = _request_or_404(request.user, pk)
    form = ErasureDecisionForm(request.POST)
    if not form.is_valid():
        return _request_page(request, subject_request, form, status=400)
    try:
        actions.decide_erasure(
            actor=request.user,
            request=subject_request,
            erase=form.cleaned_data["decision"] == "erase",
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _request_page(request, subject_request, form, status=400)
    messages.success(request, _("Decision recorded."))
    return redirect("privacy:request", pk=subject_request.pk)
