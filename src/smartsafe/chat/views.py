"""The counsellor's side: the waiting list, taking a chat, its conversation page with the
contact's summary form beside it, ending (and blocking), handing over, watching."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartsafe.accounts import queries as account_queries
from smartsafe.intake import actions as intake_actions

from . import actions, canned, live, permissions, queries
from .forms import ChatSummaryForm, EndForm, TransferForm
from .models import Sender


def _require_chatter(user) -> None:
    if not permissions.can_take_chats(user):
        raise PermissionDenied(_("Your role does not answer chats."))


def _lists(user) -> dict:
    waiting = list(queries.waiting_for(user)[:50])
    return {"waiting": waiting, "mine": list(queries.mine(user)), "watchable": list(queries.watchable(user))}


@login_required
@require_GET
def chat_list(request):
    _require_chatter(request.user)
    return render(request, "chat/list.html", _lists(request.user))


@login_required
@require_GET
def waiting_panel(request):
    """The inbox's panel of waiting chats (htmx; reloaded on each live "chat" event)."""
    if not permissions.can_take_chats(request.user):
        return render(request, "chat/_waiting.html", {"hidden": True})
    return render(request, "chat/_waiting.html", _lists(request.user))


@login_required
@require_POST
def take(request, pk):
    session = queries.access_chat(request.user, pk)
    try:
        actions.take_chat(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat:list")
    return redirect("chat:detail", pk=session.pk)


def _colleagues(user):
    return account_queries.caseworkers().exclude(pk=user.pk)


@login_required
@require_GET
def detail(request, pk):
    watch = request.GET.get("watch") == "1"
    session = queries.access_chat(request.user, pk, watch=watch)
    contact = session.contact
    summary = None
    if contact is not None and not watch:
        summary = ChatSummaryForm(
            initial={
                "summary": contact.summary,
                "advice_given": contact.advice_given,
                "topics": list(contact.topics.all()),
                "urgent": contact.urgent,
                "version": contact.version,
            }
        )
    context = {
        "session": session,
        "watch": watch,
        "messages_list": queries.transcript(session),
        "can_write": permissions.can_write_in(request.user, session) and not watch,
        "summary_form": summary,
        "end_form": EndForm(),
        "colleagues": _colleagues(request.user) if not watch else [],
        "canned": canned.for_language(session.language),
    }
    return render(request, "chat/detail.html", context)


@login_required
@require_POST
def send(request, pk):
    """Without JavaScript (or as a fallback), a counsellor's message by form."""
    session = queries.access_chat(request.user, pk)
    text = request.POST.get("text", "")
    try:
        message = actions.post_message(
            session=session, sender=Sender.COUNSELLOR, author=request.user, text=text
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        live.to_session(session, message.as_frame())
    return redirect("chat:detail", pk=session.pk)


@login_required
@require_POST
def end(request, pk):
    session = queries.access_chat(request.user, pk)
    form = EndForm(request.POST)
    block = form.is_valid() and form.cleaned_data["block"]
    actions.end_chat(session=session, actor=request.user, by="counsellor", block=block)
    messages.success(request, _("The chat has ended.") + (" " + _("The client is blocked.") if block else ""))
    return redirect("chat:detail", pk=session.pk)


@login_required
@require_POST
def transfer(request, pk):
    session = queries.access_chat(request.user, pk)
    form = TransferForm(request.POST)
    to = _colleagues(request.user).filter(pk=form.cleaned_data["to"]).first() if form.is_valid() else None
    try:
        actions.transfer_chat(actor=request.user, session=session, to=to)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("chat:detail", pk=session.pk)
    messages.success(
        request, _("The chat was handed to %(name)s.") % {"name": to.get_full_name() or to.username}
    )
    return redirect("chat:list")


@login_required
@require_POST
def summary(request, pk):
    session = queries.access_chat(request.user, pk)
    form = ChatSummaryForm(request.POST)
    if session.contact is None or not form.is_valid():
        messages.error(request, _("The summary was not saved."))
        return redirect("chat:detail", pk=session.pk)
    data = form.cleaned_data
    try:
        intake_actions.update_contact(
            actor=request.user,
            contact=session.contact,
            expected_version=data["version"],
            topics=list(data["topics"]),
            summary=data["summary"],
            advice_given=data["advice_given"],
            urgent=data["urgent"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Summary saved."))
    return redirect("chat:detail", pk=session.pk)
