"""Poll the e-mail accounts now (the scheduler does it every minute)."""

from django.core.management.base import BaseCommand, CommandError

from smartsafe.core import request_context
from smartsafe.inbox.channels.imap import poll
from smartsafe.inbox.models import ChannelAccount, ChannelKind


class Command(BaseCommand):
    help = "Fetch new mail from the IMAP mailboxes of the e-mail channels."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="only this account id")

    def handle(self, *args, account=None, **options):
        accounts = ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, active=True)
        if account is not None:
            accounts = accounts.filter(pk=account)
            if not accounts.exists():
                raise CommandError(f"No active e-mail account {account}.")
        failed = False
        with request_context.bind(request_context.RequestContext(via="command")):
            for item in accounts:
                result = poll(item)
                line = f"{item.name}: {result.imported} new, {result.duplicates} already known"
                if result.error:
                    failed = True
                    self.stderr.write(f"{line}; error: {result.error}")
                else:
                    self.stdout.write(line)
        if failed:
            raise CommandError("Some mailboxes could not be polled.")
