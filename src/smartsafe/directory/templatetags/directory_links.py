"""``{% external_link url label %}``: a link only for http(s) addresses, always with
``rel="noopener noreferrer"``; anything else (``javascript:``…) is printed as plain text."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from smartsafe.directory.links import display_url, is_safe_url

register = template.Library()


@register.simple_tag
def external_link(url, label=""):
    url = url if isinstance(url, str) else ""
    text = label or display_url(url)
    if is_safe_url(url):
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', url, text)
    return format_html('<span class="muted">{}</span>', text)
