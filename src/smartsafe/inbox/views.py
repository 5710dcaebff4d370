"""Replying to a contact's conversation and retrying a failed reply (webhooks: webhooks.py).

One reply page for every channel: an e-mail conversation is answered by SMTP (actions.py), a
messenger conversation through its provider (messenger.py, which also keeps the 24-hour window).
Views parse, check access, call an action and respond; actions do every write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartsafe.intake.queries import access_contact

from . import actions, conversation, queries
from .actions import messenger as messenger_actions
from .forms import CannedChoiceForm, ReplyForm
from .models import OutboundStatus


def _is_messenger(account) -> bool:
    return account.kind in conversation.MESSENGER_KINDS


def _back(outbound) -> str:
    anchor = "#messenger-thread" if _is_messenger(outbound.account) else "#email-thread"
    return reverse("intake:detail", args=[outbound.contact_id]) + anchor


def _report(request, outbound) -> None:
    if outbound.status == OutboundStatus.SENT:
        if _is_messenger(outbound.account):
            text = _("Your reply was sent on %(channel)s.") % {"channel": outbound.account.get_kind_display()}
        else:
            text = _("Your reply was sent to %(to)s.") % {"to": outbound.to_address}
        messages.success(request, text)
    else:
        messages.error(request, _("Your reply was saved but not sent: %(error)s") % {"error": outbound.error})


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, contact_pk):
    contact = access_contact(request.user, contact_pk, audit=request.method != "POST")
    thread = queries.thread(request.user, contact)
    if not thread["can_reply"]:
        raise PermissionDenied(_("There is nothing here you may answer."))
    flow = messenger_actions if thread["is_messenger"] else actions
    form = ReplyForm(request.POST or None)
    if request.method == "GET":
        choice = CannedChoiceForm(request.GET or None)
        if choice.is_valid() and choice.cleaned_data["canned"]:
            form = ReplyForm(initial={"body": choice.cleaned_data["canned"].body})
    elif form.is_valid():
        try:
            outbound = flow.write_reply(actor=request.user, contact=contact, body=form.cleaned_data["body"])
        except ValidationError as exc:
            # Refusals without a field (the window closed, the channel switched off) belong next
            # to the text they refused; the bound form keeps what was typed.
            form.add_error(None if hasattr(exc, "error_dict") else "body", exc)
        else:
            _report(request, flow.deliver(outbound, actor=request.user))
            return redirect(_back(outbound))
    context = {"contact": contact, "form": form, "canned_form": CannedChoiceForm(), **thread}
    return render(request, "inbox/reply.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def retry(request, pk):
    outbound = queries.access_outbound(request.user, pk)
    flow = messenger_actions if _is_messenger(outbound.account) else actions
    try:
        outbound = flow.retry(actor=request.user, outbound=outbound)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _report(request, outbound)
    return redirect(_back(outbound))
