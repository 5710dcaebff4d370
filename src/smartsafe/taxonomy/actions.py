"""Writes to the taxonomy made by people (the loaders in ``loading.py`` write the shipped data).

Terms are never deleted and their codes never change; what an administrator does is switch terms
on and off, each change audited in the same transaction.
"""

from __future__ import annotations

from django.db import transaction

from smartsafe.audit import codes
from smartsafe.audit.log import record


@transaction.atomic
def set_active(*, actor, terms, active: bool) -> int:
    """Switch the terms of one kind (a queryset) on or off; returns how many changed."""
    changing = terms.exclude(active=active)
    changed = sorted(changing.values_list("code", flat=True))
    count = changing.update(active=active)
    if count:
        record(
            codes.TAXONOMY_UPDATE,
            actor=actor,
            object_type=terms.model._meta.label_lower,
            object_label=", ".join(changed)[:200],
            active=active,
            codes=changed[:100],
            count=count,
        )
    return count
