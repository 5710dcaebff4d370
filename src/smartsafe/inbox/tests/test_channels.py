"""Channel configuration: the ``channel`` command, encrypted write-only secrets, the admin page,
``ingest_eml``."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.inbox import actions, secrets
from smartsafe.inbox.models import ChannelAccount, InboundMessage

from .conftest import EML

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_channel_add_email_prints_its_id_and_keeps_the_password_encrypted(email_channel):
    out = run(
        "channel", "add", "email", "Prijave",
        "--secret", "mailbox-password-123",
        "--setting", "imap_host=imap.example.rs", "--setting", "imap_port=993",
        "--setting", "username=prijava", "--setting", "from_address=prijava@centre.example",
    )  # fmt: skip
    account = ChannelAccount.objects.get(name="Prijave")
    assert f"account id: {account.pk}" in out
    assert account.settings == {
        "imap_host": "imap.example.rs",
        "imap_port": 993,
        "username": "prijava",
        "from_address": "prijava@centre.example",
    }
    assert "mailbox-password-123" not in account.secrets_sealed and account.secrets_sealed.startswith(
        "fernet:"
    )
    assert account.secret("secret") == "mailbox-password-123"
    event = AuditEvent.objects.get(action="channel.create")
    assert event.via == "command" and "mailbox-password-123" not in str(event.details)


def test_channel_add_messenger_prints_the_webhook_url(db):
    testing.channel("viber")
    out = run(
        "channel",
        "add",
        "viber",
        "Viber bot",
        "--token",
        "bot-token",
        "--base-url",
        "https://centar.example.rs/",
    )
    account = ChannelAccount.objects.get(name="Viber bot")
    assert f"https://centar.example.rs/inbox/webhooks/{account.webhook_token}/" in out
    assert account.secret("token") == "bot-token"
    assert len(account.webhook_token) >= 32


def test_channel_add_refuses_bad_input(email_channel):
    with pytest.raises(CommandError, match="Unknown e-mail setting"):
        run("channel", "add", "email", "X", "--setting", "imap_hots=typo")
    with pytest.raises(CommandError, match="key=value"):
        run("channel", "add", "email", "X", "--setting", "novalue")
    with pytest.raises(CommandError, match="port"):
        run("channel", "add", "email", "X", "--setting", "imap_port=99999")
    with pytest.raises(CommandError):
        run("channel", "add", "fax", "X")
    run("channel", "add", "email", "X")
    with pytest.raises(CommandError, match="exists"):
        run("channel", "add", "email", "X")


def test_channel_list_and_disable(email_channel):
    run("channel", "add", "email", "Prijave", "--secret", "pw-12345")
    listing = run("channel", "list")
    assert "Prijave" in listing and "active" in listing and "pw-12345" not in listing
    run("channel", "disable", "Prijave")
    assert ChannelAccount.objects.get(name="Prijave").active is False
    assert "disabled" in run("channel", "list")
    assert AuditEvent.objects.filter(action="channel.disable").exists()
    with pytest.raises(CommandError):
        run("channel", "disable", "nope")


def test_secrets_survive_only_with_the_key(settings, email_channel):
    settings.SMARTSAFE_CHANNEL_SECRETS_KEY = "old-key"
    account = actions.create_account(kind="email", name="A", secret="s3cret")
    settings.SMARTSAFE_CHANNEL_SECRETS_KEY = "new-key,old-key"  # rotation: the old key still decrypts
    assert ChannelAccount.objects.get(pk=account.pk).secret() == "s3cret"
    settings.SMARTSAFE_CHANNEL_SECRETS_KEY = "other-key"
    with pytest.raises(secrets.SecretsUnreadable):
        ChannelAccount.objects.get(pk=account.pk).secret()


def test_secrets_update_keeps_others_and_audits_names_only(email_channel):
    account = actions.create_account(kind="email", name="A", secret="one", token="two")
    actions.update_account(account=account, secret="three")
    account.refresh_from_db()
    assert (account.secret("secret"), account.secret("token")) == ("three", "two")
    event = AuditEvent.objects.filter(action="channel.update").latest("pk")
    assert event.details["secrets"] == ["secret"] and "three" not in str(event.details)


def test_admin_secrets_are_write_only(client, email_channel):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-strong-123", role="admin"
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inbox_channelaccount_add"),
        {
            "kind": "email",
            "name": "Admin box",
            "settings": '{"imap_host": "imap.example.rs", "imap_ssl": "true"}',
            "active": "on",
            "new_secret": "typed-once-123",
            "new_token": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = ChannelAccount.objects.get(name="Admin box")
    assert account.secret() == "typed-once-123" and account.settings["imap_ssl"] is True
    page = client.get(reverse("admin:inbox_channelaccount_change", args=[account.pk])).content.decode()
    assert "typed-once-123" not in page and account.secrets_sealed not in page
    # Saving without typing a secret keeps it.
    client.post(
        reverse("admin:inbox_channelaccount_change", args=[account.pk]),
        {"name": "Admin box", "settings": '{"imap_host": "imap2.example.rs"}', "active": "on"},
    )
    account.refresh_from_db()
    assert account.secret() == "typed-once-123" and account.settings == {"imap_host": "imap2.example.rs"}
    bad = client.post(
        reverse("admin:inbox_channelaccount_change", args=[account.pk]),
        {"name": "Admin box", "settings": '{"imap_hots": "x"}', "active": "on"},
    )
    assert bad.status_code == 200 and "Unknown e-mail setting" in bad.content.decode()


def test_ingest_eml_imports_each_file_once(email_channel, capsys):
    actions.create_account(kind="email", name="Arhiva")
    files = sorted(str(p) for p in EML.glob("*.eml"))
    out = run("ingest_eml", "Arhiva", *files)
    assert f"{len(files)} imported, 0 already there" in out
    assert InboundMessage.objects.count() == len(files)
    again = run("ingest_eml", "Arhiva", *files)
    assert f"0 imported, {len(files)} already there" in again
    assert InboundMessage.objects.count() == len(files)
    cp1251 = InboundMessage.objects.get(message_id="cp1251.3@mail.example.rs")
    assert cp1251.received_at.isoformat() == "2026-03-04T07:00:00+00:00"  # dated by its Date header
    assert cp1251.contact.subject == "Вршњачко насиље на Вајберу"


def test_ingest_eml_errors(email_channel, tmp_path):
    actions.create_account(kind="email", name="Arhiva")
    with pytest.raises(CommandError, match="No e-mail channel"):
        run("ingest_eml", "Nope", str(tmp_path / "x.eml"))
    with pytest.raises(CommandError, match="could not be read"):
        run("ingest_eml", "Arhiva", str(tmp_path / "missing.eml"))
