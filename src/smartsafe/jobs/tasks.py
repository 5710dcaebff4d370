"""Background jobs of the queue itself."""

from django_tasks import task

from . import durability


@task()
def prune_finished_tasks() -> int:
    """Daily: forget successful task results older than a week (failed ones wait for a person)."""
    return durability.prune_finished()
