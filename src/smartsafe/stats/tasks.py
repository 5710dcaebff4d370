"""Background jobs of the statistics app."""

from django_tasks import task

from . import rollups


@task()
def rebuild_rollups() -> dict:
    """Recount every roll-up table from the source records (after bulk imports, or nightly as a check)."""
    return rollups.rebuild()


@task()
def drain_dirty_days() -> int:
    """Recount the days marked dirty since the last drain (scheduled every few seconds)."""
    return rollups.drain()
