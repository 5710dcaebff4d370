"""Import saved messages (.eml) into an e-mail channel: migration from another tool, backfill."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartsafe.core import request_context
from smartsafe.inbox.actions import store_email
from smartsafe.inbox.models import ChannelAccount, ChannelKind

MAX_BYTES = 100 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import .eml files into the e-mail channel INBOX (its name or id). Each message is threaded "
        "like polled mail and dated by its Date header; importing a file twice imports it once."
    )

    def add_arguments(self, parser):
        parser.add_argument("inbox", help="e-mail channel name or id")
        parser.add_argument("files", nargs="+", help=".eml files")

    def handle(self, *args, inbox, files, **options):
        account = ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, name=inbox).first()
        if account is None and inbox.isdigit():
            account = ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, pk=int(inbox)).first()
        if account is None:
            raise CommandError(f"No e-mail channel named or numbered {inbox!r}.")
        imported = known = unreadable = 0
        with request_context.bind(request_context.RequestContext(via="command")):
            for name in files:
                path = Path(name)
                try:
                    if path.stat().st_size > MAX_BYTES:
                        raise OSError("larger than 100 MB")
                    raw = path.read_bytes()
                except OSError as exc:
                    unreadable += 1
                    self.stderr.write(f"{name}: cannot read ({exc})")
                    continue
                message, created = store_email(account=account, raw=raw, trust_date=True)
                imported += int(created)
                known += int(not created)
                where = message.contact.reference if message.contact else "no contact (automatic)"
                self.stdout.write(f"{name}: {'imported' if created else 'already imported'} → {where}")
        self.stdout.write(f"{imported} imported, {known} already there, {unreadable} unreadable")
        if unreadable:
            raise CommandError("Some files could not be read.")
