"""The scheduled retention job (``SMARTSAFE_SCHEDULE``: once a day)."""

from django_tasks import task

from . import retention


@task()
def apply_retention() -> dict:
    run = retention.apply(actor=None, dry_run=False)
    return {"run": run.pk, "counts": run.counts, "held": run.held}
