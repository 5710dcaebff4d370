"""A real IMAP server (Debian's dovecot) and a real SMTP server (aiosmtpd) for the e-mail tests.

Dovecot is started once per test session on 127.0.0.1 with a free port, a configuration of its
own in a temporary directory, maildir storage there and one test user in a passwd-file. Nothing
of the machine's own dovecot configuration is used. CI installs it (``apt-get install
dovecot-imapd``); without it these tests fail and say so.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from smartsafe import testing

from .phone import exchange, pbx  # noqa: F401  (the phone line's fixtures)

EML = Path(__file__).parent / "eml"
IMAP_USER = "prijava"
IMAP_PASSWORD = "imap-test-password-1"
SMTP_USER = "prijava"
SMTP_PASSWORD = IMAP_PASSWORD  # one mailbox password serves IMAP and SMTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eml(name: str) -> bytes:
    return (EML / name).read_bytes()


DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, mailbox: str = "INBOX", flags: str = "") -> None:
        client = self.client()
        try:
            client.create(mailbox) if mailbox != "INBOX" else None
            kind, data = client.append(mailbox, flags or None, None, raw)
            assert kind == "OK", data
        finally:
            client.logout()

    def flags(self, mailbox: str = "INBOX") -> dict[int, str]:
        """UID → flags of every message in ``mailbox``."""
        client = self.client()
        try:
            client.select(mailbox, readonly=True)
            kind, data = client.uid("FETCH", "1:*", "(FLAGS)")
            result = {}
            for item in data:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else item[0].decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                result[uid] = text.split("FLAGS (")[1].split(")")[0]
            return result
        finally:
            client.logout()

    def reset(self, mailbox: str) -> None:
        """Delete ``mailbox`` and make it again: a new UIDVALIDITY, as after a server migration."""
        client = self.client()
        try:
            client.delete(mailbox)
            client.create(mailbox)
        finally:
            client.logout()


@pytest.fixture(scope="session")
def dovecot():
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if binary is None:
        pytest.fail(
            "dovecot is not installed: the IMAP tests need a real IMAP server. "
            "Install it with `apt-get install -y dovecot-imapd` (CI's .ci/run does)."
        )
    root = Path(tempfile.mkdtemp(prefix="smartsafe-dovecot-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        # Dovecot refuses to run mail processes as root; the package's own users serve.
        mail_user = pwd.getpwnam("dovecot")
        login_user, internal_user = "dovenull", "dovecot"
    else:
        mail_user = pwd.getpwuid(os.geteuid())
        login_user = internal_user = mail_user.pw_name
    (root / "mail").mkdir()
    (root / "home").mkdir()
    for path in (root / "mail", root / "home"):
        if os.geteuid() == 0:
            os.chown(path, mail_user.pw_uid, mail_user.pw_gid)
    port = free_port()
    (root / "passwd").write_text(
        f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{root}/home::\n"
    )
    config = root / "dovecot.conf"
    config.write_text(
        DOVECOT_CONF.format(root=root, port=port, login_user=login_user, internal_user=internal_user)
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    server = Dovecot("127.0.0.1", port, IMAP_USER, IMAP_PASSWORD, root)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.client().logout()
            break
        except (OSError, imaplib.IMAP4.error) as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                pytest.fail(f"dovecot did not start: {exc}\n{output}\n{log}")
            time.sleep(0.2)
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list = field(default_factory=list)  # (envelope sender, recipients, bytes)
    refuse: set = field(default_factory=set)  # recipients answered with 550


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    server = SmtpServer("127.0.0.1", free_port())

    class Handler:
        async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
            if address in server.refuse:
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, smtp, session, envelope):
            server.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return "250 Message accepted"

    def authenticator(smtp, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    import warnings

    with warnings.catch_warnings():
        # AUTH without TLS is what a loopback test server does; the warning is for real servers.
        warnings.simplefilter("ignore")
        controller = Controller(
            Handler(),
            hostname=server.host,
            port=server.port,
            authenticator=authenticator,
            auth_require_tls=False,
            auth_required=True,
        )
        controller.start()
    yield server
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.received.clear()
    smtp_server.refuse.clear()
    return smtp_server


def account_settings(*, dovecot=None, smtp=None, **extra) -> dict:
    values = {"from_address": "prijava@centre.example", "username": IMAP_USER}
    if dovecot is not None:
        values.update(imap_host=dovecot.host, imap_port=str(dovecot.port), imap_ssl="false")
    if smtp is not None:
        values.update(
            smtp_host=smtp.host, smtp_port=str(smtp.port), smtp_starttls="false", smtp_username=SMTP_USER
        )
    values.update(extra)
    return values


@pytest.fixture
def email_channel(db):
    return testing.channel("email")


@pytest.fixture
def account(email_channel):
    """An e-mail account with no servers: for importing and threading tests."""
    from smartsafe.inbox import actions

    return actions.create_account(kind="email", name="Prijave", settings=account_settings())


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    """Attachments go into a vault of the test's own, under a fixed test key, without ClamAV."""
    import base64

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTSAFE_EVIDENCE_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    settings.SMARTSAFE_CLAMD_SOCKET = ""
    settings.SMARTSAFE_CLAMD_HOST = ""
    return tmp_path / "media"


def mail(
    *,
    subject="Hello",
    sender="dete@mail.example.rs",
    message_id=None,
    in_reply_to="",
    references="",
    body="Text",
    extra="",
) -> bytes:
    """A small message built by hand, for threading tests."""
    import uuid

    message_id = message_id or f"{uuid.uuid4().hex}@mail.example.rs"
    lines = [
        f"From: {sender}",
        "To: prijava@centre.example",
        f"Subject: {subject}",
        f"Message-ID: <{message_id}>",
    ]
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
    if references:
        lines.append("References: " + " ".join(f"<{r}>" for r in references.split()))
    if extra:
        lines.append(extra)
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode("utf-8")
