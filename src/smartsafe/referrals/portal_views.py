"""The institution portal: what a liaison sees and does, under ``/referrals/portal/``.

A liaison sees only the referrals sent to their own institution (``queries.referrals_visible_to``:
never a draft, never another institution's — that is a 404 exactly like a missing id). Of the
case they see what the centre shared: the packet frozen when the referral was sent, the
deadlines, and the conversation. No internal notes, no contacts, no names of the centre's staff.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartsafe.directory import queries as directory_queries
from smartsafe.directory.models import Institution

from . import actions, queries
from .forms import MessageForm, PortalFilterForm, TransitionForm
from .models import Referral
from .permissions import liaison_institution_id
from .presenters import can_write_messages, current_deadline, event_rows
from .states import INSTITUTION_ACTIONS, LABELS, allowed_actions
from .views import add_action_errors, done_message, run_transition, scoped_referral

PAGE_SIZE = 25


def _institution(request) -> Institution:
    institution_id = liaison_institution_id(request.user)
    if institution_id is None:
        raise PermissionDenied(
            _("The portal is for the liaisons of the institutions the centre refers cases to.")
        )
    return directory_queries.institution(institution_id)


def _referral(request, pk, *, audit: bool = True) -> Referral:
    _institution(request)
    if not audit:
        referral = queries.access_referral(request.user, pk, audit=False)  # 404 outside the scope
        if referral.sent_at is None:
            raise Http404("No such referral.")  # revoked before it ever reached the institution
        return referral
    return scoped_referral(request, pk)


@login_required
def portal_list(request):
    institution = _institution(request)
    form = PortalFilterForm(request.GET or None)
    # Only what reached the institution (a referral revoked before sending never did).
    referrals = queries.referral_list(request.user).filter(sent_at__isnull=False)
    filters = {}
    if form.is_valid():
        if form.cleaned_data["state"]:
            referrals = referrals.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["overdue"]:
            referrals = referrals.filter(queries.overdue_q())
        filters = {k: [str(v)] for k, v in form.cleaned_data.items() if v}
    page = Paginator(referrals.order_by("-urgent", "-sent_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    queries.record_list_read(request.user, filters={"portal": ["1"], **filters}, count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/portal/list.html",
        {
            "institution": institution,
            "form": form,
            "page": page,
            "rows": [{"referral": r, "deadline": current_deadline(r)} for r in page.object_list],
            "query": query.urlencode(),
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def _portal_buttons(referral: Referral) -> list[dict]:
    return [
        {"action": a, "label": LABELS[a]} for a in allowed_actions(referral.state) if a in INSTITUTION_ACTIONS
    ]


def portal_context(request, referral: Referral, **overrides) -> dict:
    deadline_at, deadline_label, overdue = current_deadline(referral)
    context = {
        "institution": referral.institution,
        "referral": referral,
        "case": referral.case,
        "packet": referral.packet or {},
        "events": event_rows(referral, for_institution=True),
        "thread": list(queries.messages_of(referral)),
        "buttons": _portal_buttons(referral),
        "deadline_at": deadline_at,
        "deadline_label": deadline_label,
        "overdue": overdue,
        "can_write": can_write_messages(request.user, referral),
        "form": TransitionForm(initial={"version": referral.version}),
        "failed_action": "",
        "message_form": MessageForm(),
        "banner": "",
    }
    context.update(overrides)
    context["kept_text"] = _kept_text(context["form"], context["failed_action"], context["buttons"])
    return context


def _kept_text(form, action: str, buttons: list[dict]) -> str:
    """What the liaison typed for an action whose form is not on the page now (the referral moved
    on meanwhile): shown back to them, so nothing typed is lost."""
    if not form.is_bound or any(b["action"] == action for b in buttons):
        return ""
    values = (form.data.get(name, "") for name in ("feedback", "reason", "institution_reference", "note"))
    return "\n\n".join(v.strip() for v in values if isinstance(v, str) and v.strip())


def render_portal(request, pk, *, status: int = 200, **overrides):
    referral = queries.access_referral(request.user, pk, audit=False)
    referral = queries.with_events_of(referral, "case", "institution")
    return render(
        request, "referrals/portal/detail.html", portal_context(request, referral, **overrides), status=status
    )


@login_required
def portal_detail(request, pk):
    referral = _referral(request, pk)
    return render_portal(request, referral.pk)


@login_required
@require_POST
def portal_transition(request, pk):
    referral = _referral(request, pk, audit=False)
    form = TransitionForm(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid():
        return render_portal(request, referral.pk, status=400, form=form, failed_action=action)
    if form.cleaned_data["action"] not in INSTITUTION_ACTIONS:
        # The centre's own steps (send, revoke…) are never the institution's.
        return render_portal(
            request,
            referral.pk,
            status=403,
            banner=_("Only the centre does this."),
            form=form,
            failed_action=action,
        )
    referral, status, banner, error = run_transition(request, referral, form.cleaned_data, on_behalf=False)
    if status == 200:
        done_message(request, referral)
        return redirect("referrals:portal_detail", pk=referral.pk)
    if error is not None:
        add_action_errors(form, error)
    return render_portal(request, referral.pk, status=status, banner=banner, form=form, failed_action=action)


@login_required
@require_POST
def portal_message(request, pk):
    referral = _referral(request, pk, audit=False)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.post_message(actor=request.user, referral=referral, body=form.cleaned_data["body"])
        except PermissionDenied as exc:
            return render_portal(request, referral.pk, status=403, banner=str(exc), message_form=form)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Your message was sent to the centre."))
            return redirect("referrals:portal_detail", pk=referral.pk)
    return render_portal(request, referral.pk, status=400, message_form=form)
