"""Staff pages of the vault: a file's record, opening it with a reason, deleting it, adding files.

Nothing here shows a file by itself: lists carry names and hashes only. Content leaves only after
a POST with a reason, as an attachment (``nosniff``, a sandboxing CSP, no caching) or, for a
picture the person chose to look at, on a page of its own.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartsafe.cases.queries import access_case
from smartsafe.intake.queries import access_contact

from . import actions, queries
from .forms import ConfirmForm, DeleteForm, ReasonForm
from .models import EvidenceKind, ReceivedVia
from .permissions import can_add_evidence, can_delete_evidence, can_manage_hash_lists
from .validation import EvidenceRejected, max_file_bytes

# What the browser may do with a file we hand out: nothing (no scripts, no plugins, no frames).
SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _detail(request, file, *, reason_form=None, delete_form=None, banner="", status=200):
    context = {
        "file": file,
        "case": file.resolved_case,
        "custody": queries.custody_log(file),
        "reason_form": reason_form or ReasonForm(),
        "delete_form": delete_form or DeleteForm(),
        "can_delete": can_delete_evidence(request.user) and not file.is_deleted,
        # A picture on a list of known abuse material is never shown, only handed out as a file.
        "is_image": file.kind == EvidenceKind.IMAGE and not file.known_content,
        "known_matches": queries.known_matches(file) if file.known_content else [],
        "can_confirm": can_manage_hash_lists(request.user) and not file.confirmed_at,
        "confirm_form": ConfirmForm(),
        "banner": banner,
    }
    return _no_store(render(request, "evidence/detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    """The file's record and custody log, and the form that asks for a reason before opening it."""
    file = queries.access_file(request.user, pk)
    if request.method == "GET":
        return _detail(request, file)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail(request, file, reason_form=form, status=400)
    show = request.POST.get("mode") == "view" and file.kind == EvidenceKind.IMAGE and not file.known_content
    try:
        data = actions.open_file(
            actor=request.user, file=file, reason=form.cleaned_data["reason"], download=not show
        )
    except ValidationError as exc:
        form.add_error("reason", exc.messages)
        return _detail(request, file, reason_form=form, status=400)
    except actions.FileUnavailable as exc:
        return _detail(
            request, file, reason_form=form, banner=str(exc), status=410 if file.is_deleted else 409
        )
    if show:
        image = f"data:{file.content_type};base64,{base64.b64encode(data).decode('ascii')}"
        return _no_store(render(request, "evidence/view.html", {"file": file, "image": image}))
    response = HttpResponse(data, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    return _no_store(response)


@login_required
@require_POST
def delete(request, pk):
    file = queries.access_file(request.user, pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return _detail(request, file, delete_form=form, status=400)
    try:
        actions.delete_file(actor=request.user, file=file, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return _detail(request, file, delete_form=form, banner=" ".join(exc.messages), status=409)
    messages.success(request, _("The file's content was deleted. Its record and hashes are kept."))
    return redirect("evidence:detail", pk=file.pk)


def _receive_uploads(request, *, case=None, contact=None) -> None:
    if not can_add_evidence(request.user):
        raise PermissionDenied(_("Your role may not add evidence."))
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Choose at least one file."))
    for upload in uploads:
        try:
            if upload.size > max_file_bytes():
                # Refused before it is read into memory.
                actions.refuse_oversized(
                    actor=request.user, filename=upload.name, size=upload.size, via=ReceivedVia.STAFF
                )
            file = actions.receive_file(
                data=upload.read(),
                filename=upload.name,
                case=case,
                contact=contact,
                via=ReceivedVia.STAFF,
                actor=request.user,
            )
        except EvidenceRejected as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("“%(name)s” was added to the evidence.") % {"name": file.filename})


@login_required
@require_POST
def upload_to_case(request, reference):
    case = access_case(request.user, reference, audit=False)
    _receive_uploads(request, case=case)
    return redirect(reverse("cases:detail", args=[case.reference]) + "#evidence")


@login_required
@require_POST
def upload_to_contact(request, pk):
    contact = access_contact(request.user, pk, audit=False)
    _receive_uploads(request, contact=contact)
    return redirect(reverse("intake:detail", args=[contact.pk]) + "#evidence")
