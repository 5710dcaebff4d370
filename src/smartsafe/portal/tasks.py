"""Background jobs of the public portal."""

from django_tasks import task

from . import actions


@task()
def purge_expired_drafts() -> int:
    """Delete unfinished reports (and their sealed files) older than the draft lifetime."""
    return actions.purge_expired_drafts()
