"""The data-protection officer's page: retention periods, legal holds, and the dry-run report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import actions, policies, queries, retention
from .forms import HoldForm, PolicyForm
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
