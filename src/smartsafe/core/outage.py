"""While the database is unreachable: 503 with ``Retry-After`` and a clear message, never a 500.

The error-page view (``handler500`` in the root URLconf) runs inside Django's exception handling
wherever the error came from — a view, a middleware, the session saved on the way out — so it can
tell a database outage (``OperationalError``/``InterfaceError``, which is also what the connection
pool raises when no connection can be made in time) from a bug:

* ``/api/…``: JSON ``{"detail", "code": "database_unavailable"}``;
* a browser (``Accept: text/html``): a page that says the service is briefly unavailable and, for a
  form that was being sent, keeps what the person typed: their answers are shown back to them and
  a button sends the same answers again (files cannot be kept; the page says so);
* anything else, webhooks from messaging providers included: plain text. Providers retry on 503,
  so a message that could not be stored is delivered again instead of lost.

Nothing here touches the database, and nothing is cached. Recovery needs no restart: Django checks
a connection's health before reusing it (``CONN_HEALTH_CHECKS``) and the pool checks every
connection it hands out, so the first request after the database is back gets a fresh one.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 30
# Never sent back in the page: a password or secret must not sit in a page's source or history.
UNKEPT_FIELDS = ("csrfmiddlewaretoken", "password", "secret", "token", "otp", "totp", "code")
# Buttons, not answers: sent again, but not shown as something the person wrote.
CONTROL_FIELDS = {"go", "action", "next"}


def _driver_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:  # SQLite-only installations
        return ()
    return (psycopg.OperationalError, psycopg.InterfaceError)


def is_database_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) says the database cannot be reached."""
    errors = (OperationalError, InterfaceError, *_driver_errors())
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, errors):
            return True
        # The exception it was raised from, as a traceback shows it ("from None" hides it).
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        seen += 1
    return False


def server_error(request, *args, **kwargs):
    """``handler500``: a 503 for a database outage, Django's own error page for anything else."""
    if is_database_outage(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request, *args, **kwargs)


def outage_response(request) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a minute.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
    elif "text/html" in request.headers.get("Accept", ""):
        response = HttpResponse(_page(request, message), status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def kept_fields(request) -> list[tuple[str, str]]:
    """The text fields of a form that was being sent, in order, without secrets."""
    if request.method != "POST":
        return []
    try:
        items = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    except Exception:  # an unreadable body: nothing to keep, the page still answers
        return []
    return [(name, value) for name, value in items if not any(word in name.lower() for word in UNKEPT_FIELDS)]


def _page(request, message: str) -> str:
    fields = kept_fields(request)
    try:
        had_files = request.method == "POST" and bool(request.FILES)
    except Exception:
        had_files = False
    context = {
        "message": message,
        "retry_after": RETRY_AFTER_SECONDS,
        "fields": fields,
        "typed": [(name, value) for name, value in fields if value.strip() and name not in CONTROL_FIELDS],
        "had_files": had_files,
        "action": request.get_full_path(),
        "csrf_value": request.POST.get("csrfmiddlewaretoken", "") if fields else "",
    }
    # Rendered without a request context: the context processors would read the session and the
    # signed-in user, both from the database that is down.
    return loader.render_to_string("core/outage.html", context)
