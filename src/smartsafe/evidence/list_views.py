"""Staff pages for partners' hash lists and the centre's own confirmed hashes (supervisors).

Everyone else gets 404, as for any page they may not see.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions, hashlists, queries
from .forms import ConfirmForm, HashListImportForm, WithdrawForm
from .models import HashAlgorithm

MAX_LIST_BYTES = 200 * 1024 * 1024


def _page(request, *, form=None, status=200):
    context = {
        "lists": queries.hash_lists(request.user),
        "form": form or HashListImportForm(),
        "withdraw_form": WithdrawForm(),
        "export_kinds": HashAlgorithm.choices,
        "confirmed_count": queries.confirmed_files(request.user).count(),
    }
    return render(request, "evidence/hash_lists.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def hash_lists(request):
    queries.require_list_manager(request.user)
    if request.method == "GET":
        return _page(request)
    form = HashListImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_LIST_BYTES:
        form.add_error("file", _("The list is larger than 200 MB."))
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        hash_list = actions.import_hash_list(
            actor=request.user,
            name=data["name"],
            data=upload.read(),
            source=data["source"],
            algorithm=data["kind"],
            list_date=data["list_date"],
            description=data["description"],
            replace=data["replace"],
        )
    except hashlists.HashListInvalid as exc:
        form.add_error("file", exc.message)
        return _page(request, form=form, status=400)
    except ValidationError as exc:
        for field, errors in (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        ):
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, form=form, status=400)
    messages.success(
        request,
        _("“%(name)s”: %(count)s hashes in force.")
        % {"name": hash_list.name, "count": hash_list.entry_count},
    )
    return redirect("evidence:hash_lists")


@login_required
@require_POST
def withdraw_list(request, pk):
    hash_list = queries.access_hash_list(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the list is withdrawn."))
        return redirect("evidence:hash_lists")
    try:
        actions.withdraw_hash_list(
            actor=request.user, hash_list=hash_list, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” was withdrawn.") % {"name": hash_list.name})
    return redirect("evidence:hash_lists")


@login_required
@require_GET
def export_confirmed(request, kind):
    queries.require_list_manager(request.user)
    if kind not in HashAlgorithm.values:
        raise Http404("No such kind of hash.")
    text = actions.export_confirmed_hashes(
        actor=request.user, algorithm=kind, recipient=request.GET.get("recipient", "")[:200]
    )
    extension = "csv" if kind == HashAlgorithm.PDQ else "txt"
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="smartsafe-{kind}-{timezone.localdate():%Y%m%d}.{extension}"'
    )
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def confirm_file(request, pk):
    file = queries.access_file(request.user, pk)
    queries.require_list_manager(request.user)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the file is confirmed."))
        return redirect("evidence:detail", pk=file.pk)
    try:
        actions.confirm_file(actor=request.user, file=file, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Confirmed: the file's hashes are in the centre's list for partners."))
    return redirect("evidence:detail", pk=file.pk)
