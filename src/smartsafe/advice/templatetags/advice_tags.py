"""Small template helpers for the advice and public pages."""

from __future__ import annotations

import re

from django import template

register = template.Library()


@register.filter
def tel_href(number) -> str:
    """``tel:`` link target for a phone number as people write it ("0800 123 456" → "tel:0800123456")."""
    digits = re.sub(r"[^0-9+]", "", str(number or ""))
    return f"tel:{digits}" if digits else ""
