"""Configure channels: ``channel add KIND NAME``, ``channel list``, ``channel disable NAME|ID``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from smartsafe.core import request_context
from smartsafe.inbox import actions
from smartsafe.inbox.channels import base
from smartsafe.inbox.models import ChannelAccount, ChannelKind


def _base_url(option: str) -> str:
    if option:
        return option.rstrip("/")
    configured = getattr(settings, "SMARTSAFE_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    hosts = [
        h
        for h in settings.ALLOWED_HOSTS
        if h not in ("*", "localhost", "127.0.0.1", "[::1]") and "*" not in h
    ]
    return f"https://{hosts[0].lstrip('.')}" if hosts else "http://localhost:8000"


def _pairs(values) -> dict:
    result = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--setting takes key=value, not {item!r}")
        result[key.strip()] = value
    return result


def _find(reference: str) -> ChannelAccount:
    account = ChannelAccount.objects.filter(name=reference).first()
    if account is None and reference.isdigit():
        account = ChannelAccount.objects.filter(pk=int(reference)).first()
    if account is None:
        raise CommandError(f"No channel named or numbered {reference!r}.")
    return account


class Command(BaseCommand):
    help = "Configure the channels (inboxes) the centre is reached on. See docs/channels-email.md."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="configure a new channel and print where to register it")
        add.add_argument("kind", choices=ChannelKind.values)
        add.add_argument("name")
        add.add_argument("--secret", default="", help="password / app secret (stored encrypted)")
        add.add_argument("--token", default="", help="access or bot token (stored encrypted)")
        add.add_argument(
            "--setting", action="append", metavar="KEY=VALUE", help="a setting; repeat as needed"
        )
        add.add_argument(
            "--base-url", default="", help="public address of this installation, for the webhook URL"
        )
        sub.add_parser("list", help="list the channels")
        disable = sub.add_parser("disable", help="stop using a channel (kept, with its messages)")
        disable.add_argument("account", help="name or id")

    def handle(self, *args, action, **options):
        with request_context.bind(request_context.RequestContext(via="command")):
            return getattr(self, f"_{action}")(**options)

    def _add(self, *, kind, name, secret, token, setting, base_url, **_options):
        try:
            account = actions.create_account(
                kind=kind, name=name, settings=_pairs(setting), secret=secret, token=token
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"channel {account.pk} added: {account.name} ({account.kind})")
        if kind == ChannelKind.EMAIL:
            self.stdout.write(
                f"account id: {account.pk} (polled every minute; manage.py poll_email --account {account.pk})"
            )
        else:
            url = _base_url(base_url) + reverse("inbox:webhook", args=[account.webhook_token])
            self.stdout.write(f"webhook URL (register it with the provider): {url}")
            if not base.has_adapter(kind):
                self.stdout.write(
                    self.style.WARNING(f"no adapter for {kind} is installed yet; messages will wait")
                )

    def _list(self, **_options):
        for account in ChannelAccount.objects.order_by("kind", "name"):
            state = "active" if account.active else "disabled"
            error = f"  last error: {account.last_error}" if account.last_error else ""
            secrets = "secrets set" if account.has_secrets else "no secrets"
            self.stdout.write(f"{account.pk}\t{account.kind}\t{account.name}\t{state}\t{secrets}{error}")

    def _disable(self, *, account, **_options):
        found = _find(account)
        actions.update_account(account=found, active=False)
        self.stdout.write(f"channel {found.pk} disabled: {found.name}")
