"""Background jobs of the inbox: polling the e-mail accounts (SMARTSAFE_SCHEDULE, every minute)."""

from __future__ import annotations

from django_tasks import task

from . import queries
from .channels.imap import poll


@task()
def poll_email_accounts() -> dict:
    """Poll every active e-mail account once; one failing mailbox does not stop the others."""
    summary = {}
    for account in queries.email_accounts_to_poll():
        result = poll(account)
        summary[account.name] = {"imported": result.imported, "error": result.error}
    return summary
