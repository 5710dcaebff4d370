"""Background jobs of the inbox: polling the e-mail accounts (SMARTSAFE_SCHEDULE, every minute)."""

from __future__ import annotations

from django_tasks import task


@task()
def poll_email_accounts() -> dict:
    """Poll every active e-mail account once; one failing mailbox does not stop the others."""
    from .channels.imap import poll
    from .models import ChannelAccount, ChannelKind

    summary = {}
    for account in ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, active=True):
        result = poll(account)
        summary[account.name] = {"imported": result.imported, "error": result.error}
    return summary
