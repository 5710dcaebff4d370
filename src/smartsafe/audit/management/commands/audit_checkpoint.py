"""``manage.py audit_checkpoint``: write a signed checkpoint of the audit chain now."""

from django.core.management.base import BaseCommand

from smartsafe.audit import checkpoints


class Command(BaseCommand):
    help = "Seal pending events and write a signed checkpoint of the chain head outside the database."

    def handle(self, *args, **options):
        checkpoint = checkpoints.write()
        if checkpoint is None:
            self.stdout.write("The audit log is empty: no checkpoint written.")
            return
        self.stdout.write(f"checkpoint #{checkpoint.sequence}:{checkpoint.hash} written to {checkpoint.path}")
