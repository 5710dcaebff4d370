"""Reads of the taxonomy that other apps use.

Taxonomy terms are public reference data (they are shown on the public report form too), so
these helpers check no permission. Each returns an ordered queryset of active terms only; a form
that edits an existing record must still offer the inactive term that record already has.
"""

from __future__ import annotations

from django.db.models import QuerySet

from . import cache
from .models import Category, Platform


def active(model) -> QuerySet:
    """The active terms of a taxonomy ``model``, in its display order."""
    return model.objects.filter(active=True).order_by(*model._meta.ordering)


def referral_categories() -> QuerySet:
    """The active referral categories (the seven of the centre's statistics), in display order."""
    return active(Category).filter(kind=Category.Kind.REFERRAL)


def advisory_topics() -> QuerySet:
    return active(Category).filter(kind=Category.Kind.ADVISORY)


def urgent_categories() -> QuerySet:
    """Active categories that usually mean a child in immediate danger (intake suggests the flag)."""
    return active(Category).filter(suggests_urgent=True)


def platform_for_host(host: str) -> Platform | None:
    """The platform a host name belongs to ("www.", "m." and a trailing dot ignored), or None.

    Checks the host itself, then its parent domains: "vm.tiktok.com" finds TikTok through its
    own entry, "business.instagram.com" through "instagram.com".
    """
    host = (host or "").strip().lower().rstrip(".")
    if not host or len(host) > 253:
        return None
    candidates = [host]
    parts = host.split(".")
    candidates += [".".join(parts[i:]) for i in range(1, len(parts) - 1)]
    by_host = {}
    for platform in cache.terms(Platform):
        for known in platform.hosts or []:
            by_host.setdefault(known, platform)
    for candidate in candidates:
        if candidate in by_host:
            return by_host[candidate]
    return None
