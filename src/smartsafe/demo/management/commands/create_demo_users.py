"""``manage.py create_demo_users``: the demo accounts (demo mode only), printed as a table."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smartsafe.core import request_context
from smartsafe.demo.accounts import ensure_demo_users


class Command(BaseCommand):
    help = "Create or repair the demo logins (only with SMARTSAFE_DEMO=1)."

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("Demo accounts exist only in demo mode (SMARTSAFE_DEMO=1).")
        with request_context.bind(request_context.RequestContext(via="command")):
            logins = ensure_demo_users()
        for username, password, role in logins:
            self.stdout.write(f"{username:<12} {password:<18} {role}")
