"""``{% load live_tags %}{% live_script %}``: the live-updates script, only where it can work.

The websocket (/ws/inbox/) exists only when the site is served over ASGI (``manage.py serve``,
uvicorn); under WSGI (Django's test server, a WSGI-only deployment) there is nothing to connect
to, and a person whose role the socket would refuse should not knock on every page either.
"""

from __future__ import annotations

from django import template
from django.core.handlers.asgi import ASGIRequest

from smartsafe.inbox.consumers import _may_connect

register = template.Library()


@register.inclusion_tag("inbox/_live_script.html", takes_context=True)
def live_script(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    enabled = (
        isinstance(request, ASGIRequest) and user is not None and user.is_authenticated and _may_connect(user)
    )
    return {"enabled": enabled}
