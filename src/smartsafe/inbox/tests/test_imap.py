"""Polling a real dovecot over IMAP: new mail once, UIDVALIDITY, \\Seen only after commit."""

import pytest
from django.core.management import call_command

from smartsafe.inbox import actions
from smartsafe.inbox.channels.imap import poll
from smartsafe.inbox.models import InboundMessage
from smartsafe.intake.models import Contact

from .conftest import IMAP_PASSWORD, account_settings, eml

pytestmark = pytest.mark.django_db


def unique(raw: bytes, tag: str) -> bytes:
    """A fixture with its own Message-ID, so tests sharing the session's mailbox stay apart."""
    return raw.replace(b"Message-ID: <", f"Message-ID: <{tag}.".encode(), 1)


@pytest.fixture
def mailbox_account(email_channel, dovecot, request):
    name = "box-" + request.node.name[:40].replace("[", "-").replace("]", "")
    return actions.create_account(
        kind="email",
        name=name,
        settings=account_settings(dovecot=dovecot, mailbox=name),
        secret=IMAP_PASSWORD,
    ), name


def test_poll_imports_unseen_once_and_marks_seen(mailbox_account, dovecot):
    account, box = mailbox_account
    dovecot.append(unique(eml("plain_utf8.eml"), "p1"), box)
    dovecot.append(unique(eml("cyrillic_windows1251.eml"), "p1"), box)
    dovecot.append(unique(eml("html_only.eml"), "p1-old"), box, flags=r"(\Seen)")  # read elsewhere: the past

    result = poll(account)
    assert result.error == ""
    assert result.imported == 2
    subjects = set(InboundMessage.objects.filter(account=account).values_list("subject", flat=True))
    assert subjects == {"Претње на Инстаграму", "Вршњачко насиље на Вајберу"}
    assert all(r"\Seen" in flags for flags in dovecot.flags(box).values())
    assert account.cursor["last_uid"] == 3 and account.cursor["uidvalidity"] > 0

    again = poll(account)
    assert (again.imported, again.fetched, again.error) == (0, 0, "")
    assert InboundMessage.objects.filter(account=account).count() == 2

    # New mail after the first poll is imported whether or not someone read it meanwhile.
    dovecot.append(unique(eml("cyrillic_koi8r.eml"), "p1"), box, flags=r"(\Seen)")
    third = poll(account)
    assert third.imported == 1
    assert InboundMessage.objects.filter(account=account, subject="Проблем са сином").exists()


def test_same_message_twice_in_the_mailbox_is_one_contact(mailbox_account, dovecot):
    account, box = mailbox_account
    raw = unique(eml("plain_utf8.eml"), "twice")
    dovecot.append(raw, box)
    dovecot.append(raw, box)
    result = poll(account)
    assert (result.imported, result.duplicates) == (1, 1)
    assert Contact.objects.filter(inbound_messages__account=account).distinct().count() == 1


def test_uidvalidity_change_starts_again_without_duplicates(mailbox_account, dovecot):
    account, box = mailbox_account
    first = unique(eml("plain_utf8.eml"), "uv")
    dovecot.append(first, box)
    assert poll(account).imported == 1
    old = dict(account.cursor)

    dovecot.reset(box)  # new UIDVALIDITY; the same message comes back, and a new one
    dovecot.append(first, box)
    dovecot.append(unique(eml("cyrillic_koi8u.eml"), "uv"), box)
    result = poll(account)
    assert account.cursor["uidvalidity"] != old["uidvalidity"]
    assert (result.imported, result.duplicates) == (1, 1)
    assert InboundMessage.objects.filter(account=account).count() == 2


def test_message_without_message_id_is_imported_once(mailbox_account, dovecot):
    account, box = mailbox_account
    raw = eml("no_message_id.eml").replace(
        b"Subject: Bez identifikatora", b"Subject: Bez identifikatora " + box.encode()
    )
    dovecot.append(raw, box)
    assert poll(account).imported == 1
    message = InboundMessage.objects.get(account=account)
    assert message.provider_id.startswith("sha256:") and message.message_id == ""
    # The same bytes again (a client re-uploaded it): recognised by their hash.
    dovecot.append(raw, box)
    result = poll(account)
    assert (result.imported, result.duplicates) == (0, 1)


def test_nothing_is_marked_seen_when_storing_fails(mailbox_account, dovecot, monkeypatch):
    account, box = mailbox_account
    dovecot.append(unique(eml("plain_utf8.eml"), "fail"), box)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("smartsafe.inbox.actions.store_email", broken)
    with pytest.raises(RuntimeError):
        poll(account)
    assert all(r"\Seen" not in flags for flags in dovecot.flags(box).values())
    assert account.cursor.get("last_uid") in (None,)  # not moved past the message
    monkeypatch.undo()
    assert poll(account).imported == 1


def test_wrong_password_is_reported_not_raised(email_channel, dovecot):
    account = actions.create_account(
        kind="email", name="wrong", settings=account_settings(dovecot=dovecot), secret="not-the-password"
    )
    result = poll(account)
    assert result.imported == 0 and result.error
    account.refresh_from_db()
    assert account.last_error and account.last_polled_at


def test_unreachable_server_is_reported(email_channel):
    from .conftest import free_port

    account = actions.create_account(
        kind="email",
        name="nowhere",
        settings=account_settings(imap_host="127.0.0.1", imap_port=str(free_port()), imap_ssl="false"),
        secret="x",
    )
    assert poll(account).error


def test_poll_email_command_and_scheduled_task(mailbox_account, dovecot, capsys):
    from smartsafe.inbox.tasks import poll_email_accounts

    account, box = mailbox_account
    dovecot.append(unique(eml("cyrillic_koi8r.eml"), "cmd"), box)
    call_command("poll_email", "--account", str(account.pk))
    assert "1 new" in capsys.readouterr().out
    dovecot.append(unique(eml("cyrillic_koi8u.eml"), "task"), box)
    summary = poll_email_accounts.enqueue().return_value
    assert summary[account.name]["imported"] == 1
    assert InboundMessage.objects.filter(account=account).count() == 2


def test_password_encrypted_under_a_lost_key_is_reported(email_channel, dovecot, settings):
    account = actions.create_account(
        kind="email", name="lost-key", settings=account_settings(dovecot=dovecot), secret=IMAP_PASSWORD
    )
    settings.SMARTSAFE_CHANNEL_SECRETS_KEY = "a-different-key"
    result = poll(account)
    assert result.imported == 0 and "SMARTSAFE_CHANNEL_SECRETS_KEY" in result.error
