"""The contact pages: inbox, log a call, non-data one-click, detail, edit, transitions, assignment.

Each view parses, checks access through ``queries``/``permissions``, acts through ``actions`` and
responds. Refusals are answered with a message and a 4xx, never a 500: 403 when the role may not
act, 404 when the contact is outside what the user may see, 409 when the contact has moved on
(illegal transition, someone else saved first).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartsafe.accounts import queries as account_queries
from smartsafe.audit.log import record_refusal
from smartsafe.core.concurrency import StaleVersion
from smartsafe.inbox import telephony, unread
from smartsafe.inbox.actions import opened
from smartsafe.inbox.actions import telephony as call_actions

from . import actions, queries, queues
from .filters import ContactFilter
from .forms import EditContactForm, LogContactForm, NonDataForm
from .models import NonDataKind
from .paging import paginate
from .permissions import can_assign_contact, can_log_contacts, can_read_contacts
from .states import LABELS, TRANSITIONS, IllegalContactTransition

PAGE_SIZE = 50
TRANSITION_ACTIONS = ("triage", "close")


def _require_reader(user) -> None:
    if not can_read_contacts(user):
        raise PermissionDenied(_("Your role does not include working with contacts."))


def _require_logger(user) -> None:
    if not can_log_contacts(user):
        raise PermissionDenied(_("Your role may not log or change contacts."))


def _caseworkers():
    return account_queries.caseworkers()


def _open_case_url(contact) -> str | None:
    try:
        return reverse("cases:open") + "?" + urlencode({"contact": contact.pk})
    except NoReverseMatch:
        return None


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _add_errors(form, error: ValidationError) -> None:
    """Put an action's ValidationError next to the field it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- inbox ----------------------------------------------------------------------------------------


@login_required
def inbox(request):
    _require_reader(request.user)
    base = unread.with_unread(queries.inbox(request.user))
    queue = queues.chosen(request.GET.get("queue"))
    filterset = ContactFilter(request.GET or None, queryset=queue.apply(base, request.user), request=request)
    page = paginate(filterset.qs, request.GET.get("page"), PAGE_SIZE)
    used = {name: request.GET.getlist(name) for name in filterset.filters if request.GET.get(name)}
    queries.record_list_read(
        request.user,
        filters={**used, "queue": [queue.code]} if queue.code != queues.DEFAULT else used,
        count=page.count,
        via="inbox",
    )

    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "queue": queue,
        "queues": queues.tabs(base, request.user, queue),
        "filter": filterset,
        "page": page,
        "contacts": page.object_list,
        "query": query.urlencode(),
        "filtered": bool(used),
        "caseworkers": _caseworkers(),
        "can_log": can_log_contacts(request.user),
    }
    # htmx asks for the results only; a history restore needs the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "intake/_inbox_results.html" if partial else "intake/inbox.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- log a call -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    _require_logger(request.user)
    if request.method == "POST":
        form = LogContactForm(request.POST)
        call = telephony.call_for_form(request.user, request.POST.get("call", ""))
        if form.is_valid():
            intent = request.POST.get("intent", "save")
            fields = form.action_fields() | form.timing()
            common = {
                "actor": request.user,
                "channel": form.cleaned_data["channel"],
                "topics": form.cleaned_data["topics"],
                "close": intent == "close",
            }
            try:
                if call is not None:  # opened by a screen pop: the call's times and caller
                    typed = form.cleaned_data.get("duration") is not None
                    contact = call_actions.log_call(
                        call_id=call.call_id, duration_typed=typed, **common, **fields
                    )
                else:
                    contact = actions.log_contact(**common, **fields)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _after_logging(request, contact, intent)
    else:
        call = telephony.call_for_form(request.user, request.GET.get("call", ""))
        if call is not None and call.contact_id:
            messages.info(
                request, _("This call was logged already as %(ref)s.") % {"ref": call.contact.reference}
            )
            call = None
        initial = {
            "started_at": call.started_at if call else timezone.now(),
            "channel": request.GET.get("channel") or "phone",
            "call": call.call_id if call else "",
        }
        form = LogContactForm(initial=initial)
    context = {"form": form, "elapsed": _elapsed(form), "non_data_kinds": NonDataKind.choices}
    context.update(_caller(request.user, call))
    return render(request, "intake/new.html", context)


def _caller(user, call) -> dict:
    """The caller panel beside a call form opened by a screen pop: earlier contacts (read audited)."""
    if call is None:
        return {"call": None}
    earlier = telephony.earlier_contacts(call, user)
    count = telephony.earlier_count(call, user) if earlier else 0
    if earlier:
        queries.record_list_read(user, filters={"call": call.call_id}, count=count, via="call_form")
    return {"call": call, "call_earlier": earlier, "call_earlier_count": count}


def _elapsed(form) -> int:
    """Seconds since the call started, so the timer goes on across a re-rendered form."""
    started = form.initial.get("started_at")
    if form.is_bound:
        try:
            started = form.fields["started_at"].clean(form.data.get("started_at"))
        except ValidationError:
            started = None
    if not started:
        return 0
    return max(0, min(int((timezone.now() - started).total_seconds()), 24 * 3600))


def _after_logging(request, contact, intent: str):
    if intent == "case":
        url = _open_case_url(contact)
        if url:
            messages.success(
                request, _("Contact %(ref)s saved. Now open its case.") % {"ref": contact.reference}
            )
            return HttpResponseRedirect(url)
    if intent == "close":
        messages.success(request, _("Contact %(ref)s saved and closed.") % {"ref": contact.reference})
        return redirect("home")
    messages.success(request, _("Contact %(ref)s saved.") % {"ref": contact.reference})
    return redirect("intake:detail", pk=contact.pk)


@login_required
@require_POST
def non_data(request):
    """One click for a silent call, hang-up, prank or wrong number: counted, closed, no content."""
    _require_logger(request.user)
    form = NonDataForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    if not form.is_valid():
        messages.error(request, _("That kind of contact could not be logged. Please try again."))
        return HttpResponseRedirect(next_url, status=303)
    channel = form.cleaned_data["channel"] or form.fields["channel"].queryset.filter(code="phone").first()
    if channel is None:
        messages.error(request, _("No phone channel is configured; ask an administrator."))
        return HttpResponseRedirect(next_url, status=303)
    contact = actions.log_non_data_contact(
        actor=request.user, channel=channel, kind=form.cleaned_data["kind"]
    )
    messages.success(
        request,
        _("%(kind)s logged as %(ref)s.")
        % {"kind": NonDataKind(contact.non_data_kind).label, "ref": contact.reference},
    )
    return HttpResponseRedirect(next_url, status=303)


# --- one contact ----------------------------------------------------------------------------------


@login_required
def detail(request, pk):
    contact = queries.access_contact(request.user, pk)
    opened.mark_opened(contact, request.user)
    return _render_detail(request, contact)


def _render_detail(request, contact, *, status: int = 200):
    user = request.user
    can_act = can_log_contacts(user) and not contact.is_non_data
    context = {
        "contact": contact,
        "topics": contact.topics.all(),
        "history": _history(contact),
        "can_act": can_act,
        "transitions": [
            (name, LABELS[name]) for name in TRANSITION_ACTIONS if contact.state in TRANSITIONS[name][0]
        ]
        if can_act
        else [],
        "open_case_url": _open_case_url(contact) if can_act and contact.case_id is None else None,
        "can_take": can_act and contact.assigned_to_id != user.pk and can_assign_contact(user, contact, user),
        "can_release": can_act
        and contact.assigned_to_id == user.pk
        and can_assign_contact(user, contact, None),
        "can_assign_others": can_act
        and can_assign_contact(user, contact, None)
        and user.role == "supervisor",
        "caseworkers": _caseworkers() if can_act and user.role == "supervisor" else [],
    }
    return render(request, "intake/detail.html", context, status=status)


def _history(contact) -> list[dict]:
    """Each saved version of the row, newest first, with the names of the fields it changed."""
    records = list(contact.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        changed = []
        if older is not None:
            delta = newer.diff_against(older)
            changed = [
                str(contact._meta.get_field(c.field).verbose_name)
                for c in delta.changes
                if c.field != "version"
            ]
        entries.append({"record": newer, "changed": changed})
    return entries


def _refuse(request, pk, message: str, status: int):
    """Answer a refused action on the contact page itself: the message on top, a 4xx status."""
    messages.error(request, message)
    return _render_detail(request, queries.access_contact(request.user, pk), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    contact = queries.access_contact(request.user, pk, audit=request.method != "POST")
    _require_logger(request.user)
    if contact.is_non_data:
        return _refuse(request, pk, _("A non-data contact has no details to edit."), 409)
    if request.method == "POST":
        form = EditContactForm(request.POST)
        if form.is_valid():
            try:
                actions.update_contact(
                    actor=request.user,
                    contact=contact,
                    expected_version=form.cleaned_data["version"],
                    channel=form.cleaned_data["channel"],
                    topics=list(form.cleaned_data["topics"]),
                    **form.action_fields(),
                )
            except StaleVersion as stale:
                record_refusal(actor=request.user, reason="stale_version", obj=contact)
                # Keep every typed value; show what is saved now and take its version, so that
                # saving again is a deliberate choice to replace the other person's change.
                messages.error(request, str(stale))
                current = queries.access_contact(request.user, pk)
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = EditContactForm(data)
                form.is_valid()
                return render(
                    request,
                    "intake/edit.html",
                    {"form": form, "contact": current, "conflict": True},
                    status=409,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Contact %(ref)s updated.") % {"ref": contact.reference})
                return redirect("intake:detail", pk=contact.pk)
    else:
        form = EditContactForm(
            initial={
                "version": contact.version,
                "channel": contact.channel,
                "reporter_type": contact.reporter_type,
                "language": contact.language,
                "summary": contact.summary,
                "advice_given": contact.advice_given,
                "urgent": contact.urgent,
                "topics": list(contact.topics.all()),
                "reporter_name": contact.reporter_name,
                "reporter_contact": contact.reporter_contact,
                "duration": _minutes_seconds(contact.duration_seconds),
            }
        )
    return render(request, "intake/edit.html", {"form": form, "contact": contact})


def _minutes_seconds(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


@login_required
@require_POST
def transition(request, pk, action):
    if action not in TRANSITION_ACTIONS:
        raise Http404("No such action.")
    contact = queries.access_contact(request.user, pk, audit=False)
    _require_logger(request.user)
    act = actions.triage_contact if action == "triage" else actions.close_contact
    try:
        contact = act(actor=request.user, contact=contact, expected_version=_version(request))
    except IllegalContactTransition as illegal:
        record_refusal(
            actor=request.user,
            reason="illegal_transition",
            obj=contact,
            state=illegal.state,
            requested=action,
        )
        return _refuse(request, pk, str(illegal), 409)
    except StaleVersion as stale:
        record_refusal(actor=request.user, reason="stale_version", obj=contact)
        return _refuse(request, pk, str(stale), 409)
    except ValidationError as error:
        return _refuse(request, pk, " ".join(error.messages), 400)
    done = {"triage": _("Contact %(ref)s triaged."), "close": _("Contact %(ref)s closed.")}[action]
    messages.success(request, done % {"ref": contact.reference})
    return redirect("intake:detail", pk=contact.pk)


@login_required
@require_POST
def assign(request, pk):
    contact = queries.access_contact(request.user, pk, audit=False)
    _require_logger(request.user)
    choice = request.POST.get("assignee", "").strip()
    if choice == "me":
        assignee = request.user
    elif choice in ("", "none"):
        assignee = None
    else:
        assignee = _caseworkers().filter(pk=int(choice)).first() if choice.isdigit() else None
        if assignee is None:
            return _refuse(request, pk, _("Choose a colleague who works with contacts."), 400)
    try:
        contact = actions.assign_contact(actor=request.user, contact=contact, assignee=assignee)
    except PermissionDenied as denied:
        return _refuse(request, pk, str(denied) or _("You may not assign this contact."), 403)
    if assignee is None:
        messages.success(request, _("Contact %(ref)s is no longer assigned.") % {"ref": contact.reference})
    else:
        messages.success(
            request, _("Contact %(ref)s assigned to %(who)s.") % {"ref": contact.reference, "who": assignee}
        )
    return redirect("intake:detail", pk=contact.pk)
