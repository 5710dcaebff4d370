"""Human case references: ``SS-2026-000123``, numbered per prefix and year without gaps."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ReferenceSequence


def next_reference(*, at=None) -> str:
    prefix = settings.SMARTSAFE_CASE_PREFIX
    year = timezone.localtime(at or timezone.now()).year
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(
                    prefix=prefix, year=year
                )
                sequence.last += 1
                sequence.save(update_fields=["last"])
                return f"{prefix}-{year}-{sequence.last:06d}"
        except IntegrityError:
            # Two first-of-the-year cases raced to create the row; the loser retries and locks it.
            continue
    raise RuntimeError("could not allocate a case reference")
