"""Staff pages for referrals: parse → access → act → respond.

Reads go through ``queries`` (scoped and audited), writes through ``actions``. Whatever an action
refuses comes back on the referral's page with what was typed kept: 400 for invalid input (the
message next to the field), 403 for a role that may not, 409 for an illegal transition (with the
actions possible now) or a stale version. A referral outside the person's scope is a 404, exactly
like a missing one. The institution portal's pages are in ``portal_views.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartsafe.audit import codes
from smartsafe.audit.log import record, record_refusal
from smartsafe.cases import queries as case_queries
from smartsafe.core.concurrency import StaleVersion
from smartsafe.directory import queries as directory_queries

from . import actions, delivery, packet_pdf, packets, queries
from .forms import (
    AnswerForm,
    DeliveryForm,
    DraftForm,
    MessageForm,
    ReferForm,
    StaffFilterForm,
    TransitionForm,
)
from .models import Referral, ReferralState
from .permissions import can_read_all_referrals, can_work_referrals, liaison_institution_id
from .presenters import (
    buttons_for,
    can_record_delivery,
    can_retry,
    can_write_messages,
    current_deadline,
    event_rows,
)
from .routing import suggest_institutions
from .states import INSTITUTION_ACTIONS, IllegalReferralTransition

PAGE_SIZE = 25


def add_action_errors(form, exc: ValidationError, *, prefix: str = "") -> None:
    """Put an action's ValidationError next to the form's fields (or on top when it has none)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, [f"{prefix}{e}" for e in errors])
    else:
        form.add_error(None, [f"{prefix}{e}" for e in exc.messages])


def safe_next(request, fallback: str) -> str:
    """Where to go after a POST: the ``next`` the page sent, if it stays on this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def run_transition(request, referral: Referral, data: dict, *, on_behalf: bool):
    """Perform one workflow step. Returns ``(referral, status, banner, error)``: status 200 when it
    happened; otherwise the refusal to show (403 / 409 with a banner, 400 with a ValidationError)."""
    user = request.user
    try:
        referral = actions.transition_referral(
            actor=user,
            referral=referral,
            action=data["action"],
            note=data.get("note", ""),
            reason=data.get("reason", ""),
            feedback=data.get("feedback", ""),
            institution_reference=data.get("institution_reference", ""),
            expected_version=data.get("version"),
            on_behalf=on_behalf,
        )
    except IllegalReferralTransition as exc:
        record_refusal(
            actor=user, reason="illegal_transition", obj=referral, state=exc.state, requested=exc.action
        )
        return referral, 409, str(exc), None
    except StaleVersion as exc:
        record_refusal(actor=user, reason="stale_version", obj=referral)
        return referral, 409, str(exc), None
    except PermissionDenied as exc:
        return referral, 403, str(exc), None
    except ValidationError as exc:
        return referral, 400, "", exc
    return referral, 200, "", None


def done_message(request, referral: Referral) -> None:
    messages.success(request, _("The referral is now “%(state)s”.") % {"state": referral.get_state_display()})


# --- access -------------------------------------------------------------------------------------


def scoped_referral(request, pk, **audit_details) -> Referral:
    """A referral ``request.user`` may see (404 otherwise, exactly like a missing one), its read
    audited. For a liaison, also never one that did not reach the institution: a referral revoked
    before it was sent is outside ``UNSENT_STATES`` but never left the centre."""
    referral = queries.access_referral(request.user, pk, audit=False)
    if liaison_institution_id(request.user) is not None and referral.sent_at is None:
        raise Http404("No such referral.")
    record(codes.REFERRAL_VIEW, actor=request.user, obj=referral, **audit_details)
    return referral


def _staff_referral(request, pk, *, audit: bool = True) -> Referral:
    """A referral for the staff pages: scoped first (404 outside the scope), then staff only (403)."""
    referral = queries.access_referral(request.user, pk, audit=audit)
    if not can_read_all_referrals(request.user):
        raise PermissionDenied(_("These pages are for the centre's staff; institutions use the portal."))
    return referral


def _require_work(request) -> None:
    if not can_work_referrals(request.user):
        raise PermissionDenied(_("Only the centre's counsellors and supervisors may do this."))


# --- list ---------------------------------------------------------------------------------------


@login_required
def referral_list(request):
    user = request.user
    if liaison_institution_id(user) is not None:
        return redirect("referrals:portal")
    if not can_read_all_referrals(user):
        raise PermissionDenied(_("Your role does not read referrals."))
    form = StaffFilterForm(request.GET or None)
    referrals = queries.referral_list(user)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            referrals = referrals.filter(state=data["state"])
        if data["institution"]:
            referrals = referrals.filter(institution__code=data["institution"].strip())
        if data["overdue"]:
            referrals = referrals.filter(queries.overdue_q())
        if data["failed"]:
            referrals = referrals.filter(delivery_status="failed")
        if data["urgent"]:
            referrals = referrals.filter(urgent=True)
        filters = {k: [str(v)] for k, v in data.items() if v}
    page = Paginator(referrals.order_by("-urgent", "-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    queries.record_list_read(user, filters=filters, count=page.paginator.count)
    rows = [{"referral": r, "deadline": current_deadline(r)} for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


# --- refer a case -------------------------------------------------------------------------------


def _create_drafts(request, case, form) -> list[Referral] | None:
    """All the chosen drafts in one transaction, or none (errors put on the form)."""
    chosen = form.chosen()
    institutions = directory_queries.institutions_by_code(c for c, _k, _r in chosen)
    data = form.cleaned_data
    created = []
    try:
        with transaction.atomic():
            for code, kind, reason in chosen:
                institution = institutions.get(code)
                if institution is None:
                    form.add_error("other", _("No institution with the code “%(code)s”.") % {"code": code})
                    raise ValidationError("")
                try:
                    created.append(
                        actions.create_referral(
                            actor=request.user,
                            case=case,
                            institution=institution,
                            kind=kind,
                            reason=reason,
                            delivery_method=data["delivery_method"],
                            packet_language=data["packet_language"],
                        )
                    )
                except ValidationError as exc:
                    prefix = f"{institution.name}: " if len(chosen) > 1 else ""
                    add_action_errors(form, exc, prefix=prefix)
                    raise
    except ValidationError:
        return None
    return created


@login_required
@require_http_methods(["GET", "POST"])
def refer(request, reference):
    case = case_queries.access_case(request.user, reference, audit=request.method != "POST")
    _require_work(request)
    suggestions = suggest_institutions(case)
    if request.method == "GET":
        form = ReferForm(suggestions=suggestions)
        return render(request, "referrals/refer.html", {"case": case, "form": form})
    form = ReferForm(request.POST, suggestions=suggestions)
    if form.is_valid() and not form.searching:
        created = _create_drafts(request, case, form)
        if created:
            if len(created) == 1:
                messages.success(
                    request,
                    _("Draft referral to %(institution)s created: check the packet, then send it.")
                    % {"institution": created[0].institution.name},
                )
                return redirect("referrals:detail", pk=created[0].pk)
            messages.success(request, _("%(count)s draft referrals created.") % {"count": len(created)})
            return redirect(reverse("cases:detail", kwargs={"reference": case.reference}) + "#referrals")
    status = 200 if form.searching else 400
    return render(request, "referrals/refer.html", {"case": case, "form": form}, status=status)


# --- detail -------------------------------------------------------------------------------------


def detail_context(request, referral: Referral, **overrides) -> dict:
    user = request.user
    buttons = buttons_for(user, referral)
    frozen = bool(referral.packet)
    packet = referral.packet if frozen else packets.build_packet(referral)
    deadline_at, deadline_label, overdue = current_deadline(referral)
    initial = {"version": referral.version}
    context = {
        "referral": referral,
        "case": referral.case,
        "events": event_rows(referral),
        "thread": list(queries.messages_of(referral)),
        "buttons": buttons,
        "can_work": can_work_referrals(user),
        "deadline_at": deadline_at,
        "deadline_label": deadline_label,
        "overdue": overdue,
        "packet": packet,
        "frozen": frozen,
        "can_retry": can_retry(user, referral),
        "can_record_delivery": can_record_delivery(user, referral),
        "can_write": can_write_messages(user, referral),
        "draft_form": DraftForm.for_referral(referral)
        if referral.state == ReferralState.DRAFT and can_work_referrals(user)
        else None,
        "transition_form": TransitionForm(initial=initial),
        "answer_form": AnswerForm(initial=initial, actions=[b["action"] for b in buttons.institution]),
        "message_form": MessageForm(),
        "delivery_form": DeliveryForm(initial=initial),
        "banner": "",
    }
    context.update(overrides)
    return context


def render_detail(request, pk, *, status: int = 200, reached: Referral | None = None, **overrides):
    """The referral page as it is now (after a refusal: with the form as typed and the message).

    ``reached``: the referral the view has just read through the accessor, so the page does not
    read it a second time; after a write the page reads it again, as it is now."""
    referral = reached or queries.access_referral(request.user, pk, audit=False)
    referral = queries.with_events_of(referral, "case", "institution", "created_by", "approved_by")
    return render(
        request, "referrals/detail.html", detail_context(request, referral, **overrides), status=status
    )


@login_required
def referral_detail(request, pk):
    if liaison_institution_id(request.user) is not None:
        referral = scoped_referral(request, pk)  # 404 outside the scope
        return redirect("referrals:portal_detail", pk=referral.pk)
    referral = _staff_referral(request, pk)
    return render_detail(request, referral.pk, reached=referral)


def _back(request, referral: Referral, anchor: str = ""):
    return redirect(safe_next(request, reverse("referrals:detail", kwargs={"pk": referral.pk}) + anchor))


@login_required
@require_POST
def edit_draft(request, pk):
    referral = _staff_referral(request, pk, audit=False)
    _require_work(request)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return render_detail(request, referral.pk, status=400, draft_form=form)
    try:
        actions.update_draft(
            actor=request.user,
            referral=referral,
            expected_version=form.cleaned_data["version"],
            **form.draft_fields(),
        )
    except StaleVersion as exc:
        record_refusal(actor=request.user, reason="stale_version", obj=referral)
        return render_detail(request, referral.pk, status=409, banner=str(exc), draft_form=form)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return render_detail(request, referral.pk, status=400, draft_form=form)
    messages.success(request, _("Draft saved."))
    return _back(request, referral)


@login_required
@require_POST
def transition(request, pk):
    referral = _staff_referral(request, pk, audit=False)
    action = request.POST.get("action", "")
    institution_answer = action in INSTITUTION_ACTIONS
    if institution_answer:
        form = AnswerForm(
            request.POST, actions=[b["action"] for b in buttons_for(request.user, referral).institution]
        )
        form.fields["action"].choices = [(a, a) for a in INSTITUTION_ACTIONS]  # the action decides
        form_name = "answer_form"
    else:
        form = TransitionForm(request.POST)
        form_name = "transition_form"
    if not form.is_valid():
        return render_detail(request, referral.pk, status=400, **{form_name: form})
    # Staff never answer for an institution unnoticed: every answer recorded here is on its behalf.
    referral, status, banner, error = run_transition(
        request, referral, form.cleaned_data, on_behalf=institution_answer
    )
    if status == 200:
        done_message(request, referral)
        return _back(request, referral)
    if error is not None:
        add_action_errors(form, error)
    if institution_answer:
        form.fields["action"].choices = [
            (b["action"], b["label"]) for b in buttons_for(request.user, referral).institution
        ] or form.fields["action"].choices
    return render_detail(
        request,
        referral.pk,
        status=status,
        banner=banner,
        show_revoke=action == "revoke",
        **{form_name: form},
    )


@login_required
@require_POST
def post_message(request, pk):
    referral = _staff_referral(request, pk, audit=False)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.post_message(
                actor=request.user,
                referral=referral,
                body=form.cleaned_data["body"],
                on_behalf=form.cleaned_data["on_behalf"],
            )
        except PermissionDenied as exc:
            return render_detail(request, referral.pk, status=403, banner=str(exc), message_form=form)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Message saved."))
            return _back(request, referral, "#messages")
    return render_detail(request, referral.pk, status=400, message_form=form)


@login_required
@require_POST
def record_delivery(request, pk):
    referral = _staff_referral(request, pk, audit=False)
    _require_work(request)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        return render_detail(request, referral.pk, status=400, delivery_form=form)
    data = form.cleaned_data
    try:
        actions.record_manual_delivery(
            actor=request.user,
            referral=referral,
            method=data["method"],
            note=data["note"],
            expected_version=data["version"],
        )
    except StaleVersion as exc:
        record_refusal(actor=request.user, reason="stale_version", obj=referral)
        return render_detail(request, referral.pk, status=409, banner=str(exc), delivery_form=form)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return render_detail(request, referral.pk, status=400, delivery_form=form)
    messages.success(request, _("Delivery recorded."))
    return _back(request, referral, "#delivery")


@login_required
@require_POST
def retry(request, pk):
    referral = _staff_referral(request, pk, audit=False)
    _require_work(request)
    try:
        delivery.retry_delivery(referral, actor=request.user)
    except PermissionDenied as exc:
        return render_detail(request, referral.pk, status=403, banner=str(exc))
    except ValidationError as exc:
        return render_detail(request, referral.pk, status=400, banner=" ".join(exc.messages))
    messages.success(request, _("The e-mail to the institution will be sent again."))
    return _back(request, referral, "#delivery")


# --- the packet as files --------------------------------------------------------------------------


def _packet_of(referral: Referral) -> dict:
    # The frozen packet once sent (what the institution received); a preview before.
    return referral.packet or packets.build_packet(referral)


@login_required
def packet_file(request, pk, fmt: str):
    """The packet as a PDF or as its JSON twin, for staff and for the institution's liaisons."""
    referral = scoped_referral(request, pk, download=fmt)  # 404 outside the scope
    packet = _packet_of(referral)
    basename = f"{referral.case.reference}-referral-{referral.pk}"
    if fmt == "pdf":
        language = packet.get("language") or referral.packet_language
        response = HttpResponse(packet_pdf.render_pdf(packet, language), content_type="application/pdf")
    else:
        response = HttpResponse(packets.packet_bytes(packet), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
