"""The call-back list (``/inbox/callbacks/``): missed and abandoned calls waiting for a call-back.

GET shows the list (an htmx request gets the table only, for live refreshes); POST records a
call-back: ``call`` (the row's call) and ``outcome`` (reached, no_answer, dismissed).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from smartsafe.intake.permissions import can_log_contacts

from . import telephony
from .actions import telephony as call_actions

DONE = {
    "reached": gettext_lazy("Call-back recorded."),
    "no_answer": gettext_lazy("Attempt recorded; the caller stays on the list."),
    "dismissed": gettext_lazy("Removed from the call-back list."),
}


@login_required
@require_http_methods(["GET", "POST"])
def callbacks(request):
    if not can_log_contacts(request.user):
        raise PermissionDenied(_("Your role does not include calling back."))
    status = 200
    if request.method == "POST":
        pk = request.POST.get("call", "")
        call = telephony.waiting_call(pk)
        outcome = request.POST.get("outcome", "")
        if call is None:
            messages.error(request, _("That call is not on the list."))
            status = 400
        else:
            try:
                call_actions.mark_called_back(actor=request.user, call=call, outcome=outcome)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 409 if outcome in telephony.CALLBACK_OUTCOMES else 400
            else:
                messages.success(request, str(DONE[outcome]))
                return redirect("inbox:callbacks")
    context = {"rows": telephony.callback_rows()}
    partial = request.htmx and not request.htmx.history_restore_request and request.method == "GET"
    template = "inbox/_callbacks_table.html" if partial else "inbox/callbacks.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
