"""The child's side: ``/public/chat/`` (anonymous, in the portal's three languages).

Without JavaScript, or outside the centre's hours, the page is a leave-a-message form whose
message becomes a public report (the portal's own intake, with its receipt). With JavaScript and
during the hours, chat.js starts a chat (``start``) and talks over ``/ws/chat/``.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from smartsafe.portal import ratelimit

from . import actions, hours, queries
from .forms import LeaveMessageForm, StartForm


def _language() -> str:
    return translation.get_language() or "sr"


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _embed_language(request) -> str | None:
    """``?lang=`` of the embeddable button (a partner's page cannot post the language switch)."""
    from django.conf import settings

    code = request.GET.get("lang", "")
    return code if code in dict(settings.LANGUAGES) else None


@never_cache
@require_GET
def chat_page(request):
    from django.conf import settings

    language = _embed_language(request)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    context = {
        "open": hours.is_open(),
        "hours": hours.hours_text(),
        "form": LeaveMessageForm(),
        "start_form": StartForm(initial={"language": _language()}),
        "via": "embed" if request.GET.get("via") == "embed" else "portal",
    }
    response = render(request, "chat/public.html", context)
    if language:  # the rest of the visit stays in that language, as after the switch
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@never_cache
@require_POST
def start(request):
    form = StartForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("The chat could not start.")}, status=400)
    if (wait := ratelimit.hit(request, "chat")) is not None:
        response = JsonResponse({"error": ratelimit.wait_message(wait)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        session, secret = actions.start_chat(
            client=queries.client_hash(_address(request)),
            language=form.cleaned_data["language"] or _language(),
            urgent=form.cleaned_data["urgent"],
            via=form.cleaned_data["via"] or "portal",
        )
    except actions.ChatRefused as refused:
        if refused.reason == "blocked":
            return JsonResponse({"error": _("This chat is not available from this device now.")}, status=403)
        return JsonResponse({"error": _("The chat is closed now. Please leave a message.")}, status=409)
    return JsonResponse({"session": session.pk, "token": secret})


@never_cache
@require_POST
def leave_message(request):
    form = LeaveMessageForm(request.POST)
    if (wait := ratelimit.hit(request, "report")) is not None:
        response = render(
            request, "portal/too_many.html", {"message": ratelimit.wait_message(wait)}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        context = {
            "open": hours.is_open(),
            "hours": hours.hours_text(),
            "form": form,
            "start_form": StartForm(),
        }
        return render(request, "chat/public.html", context, status=400)
    receipt = actions.leave_message(
        text=form.cleaned_data["text"],
        language=_language(),
        urgent=form.cleaned_data["urgent"],
        reply_to=form.cleaned_data["reply_to"],
    )
    return render(request, "portal/report/done.html", {"receipt": receipt})


@never_cache
@require_POST
def send_file(request):
    """A file from the child (chat.js posts it with the chat's id and secret and the page's CSRF token)."""
    session = queries.child_session(request.POST.get("session"), request.POST.get("token", ""))
    upload = request.FILES.get("file")
    if session is None or upload is None:
        return JsonResponse({"error": _("The file was not sent.")}, status=400)
    try:
        message = actions.send_file(session=session, upload=upload)
    except actions.FileNotAccepted as refused:
        return JsonResponse({"error": str(refused)}, status=422)
    return JsonResponse({"id": message.pk})


# The chat's secret is the credential here, not a cookie: a forged request from another site
# cannot know it, so CSRF protection adds nothing, and sendBeacon (quick exit) cannot send a token.
@csrf_exempt
@require_POST
def end(request):
    session = queries.child_session(request.POST.get("session"), request.POST.get("token", ""))
    if session is not None:
        actions.end_chat(session=session, by="child")
    return JsonResponse({"ok": True})
