"""``manage.py create_api_token USERNAME [--name NAME]``: print a new personal API token's key.

Only the key goes to stdout, so scripts can capture it (``KEY=$(manage.py create_api_token bot)``);
everything else goes to stderr. Unknown or deactivated users exit non-zero.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smartsafe.accounts.actions import create_api_token
from smartsafe.core import request_context


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print only its key."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="command line", help="what the token is for (default: %(default)s)"
        )

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            with request_context.bind(request_context.RequestContext(via="command")):
                token, key = create_api_token(actor=None, user=user, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Created token {token.prefix}… ({token.name}) for {user.username}. It is shown only once."
        )
        self.stdout.write(key)
