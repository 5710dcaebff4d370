"""Settings and view of the bare list baseline (``bench/inbox_list.py``).

``GET /contacts/``: the newest 50 rows of the platform's contact table by primary key, rendered
as a plain HTML table by a template-free view. No sessions, no permissions, no audit: what a list
page costs at least through the same server, pool and database.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils.html import escape

from .settings import *  # noqa: F403

ROOT_URLCONF = "bare.inbox"


def contacts(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, received_at, summary FROM intake_contact ORDER BY id DESC LIMIT 50")
        rows = cursor.fetchall()
    cells = "".join(
        f'<tr><td class="ref">K-{pk}</td><td>{at:%d.%m.%y %H:%M}</td><td>{escape(text[:120])}</td></tr>'
        for pk, at, text in rows
    )
    return HttpResponse(f"<!doctype html><table>{cells}</table>")


def ready(request):
    return HttpResponse("ok")


urlpatterns = [path("contacts/", contacts), path("public/", ready)]
