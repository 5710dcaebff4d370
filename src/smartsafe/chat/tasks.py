"""Background jobs of the live chat."""

from django_tasks import task

from . import actions


@task()
def abandon_unattended_chats() -> int:
    """Take out of the queue the waiting chats whose child's page has gone quiet (the scheduler
    runs this every minute); how many were abandoned."""
    return actions.abandon_unattended()
