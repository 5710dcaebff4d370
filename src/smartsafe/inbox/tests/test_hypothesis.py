"""Whatever bytes arrive as an e-mail, reading and storing them never raises."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartsafe.inbox import actions
from smartsafe.inbox.channels import automatic, mime
from smartsafe.inbox.models import InboundMessage

from .conftest import EML

FIXTURES = [p.read_bytes() for p in sorted(EML.glob("*.eml"))]

HEADER_NAMES = st.sampled_from(
    ["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Date", "Content-Type",
     "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted", "Precedence", "Reply-To"]
)  # fmt: skip
HEADER_VALUES = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [b"=?utf-8?B?0J/RgNC40LzQtdGA?=", b"=?x?Q?=FF=00?=", b"multipart/mixed; boundary=x", b"base64",
         b"text/plain; charset=koi8-r", b"<a@b>", b"\"\\\" <@>", b"message/rfc822", b"=?utf-8?B?!!!?="]
    ),
)  # fmt: skip


@st.composite
def messages(draw):
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=10))
    body = draw(st.binary(max_size=400))
    return b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body


@st.composite
def damaged_fixtures(draw):
    """A real fixture with a few bytes changed and possibly cut short."""
    base = bytearray(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, len(base) - 1))
        base[position] = draw(st.integers(0, 255))
    cut = draw(st.integers(len(base) // 2, len(base)))
    return bytes(base[:cut])


def check(parsed: mime.ParsedEmail) -> None:
    for value in (parsed.subject, parsed.text, parsed.html, parsed.from_address, parsed.from_name):
        assert isinstance(value, str) and "\x00" not in value
        value.encode("utf-8")
    assert parsed.provider_id
    automatic.classify(parsed, our_domains={"centre.example"})


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_parse(raw):
    check(mime.parse(raw))


@settings(max_examples=300, deadline=None)
@given(messages())
def test_random_headers_and_bodies_parse(raw):
    check(mime.parse(raw))


@settings(max_examples=300, deadline=None)
@given(damaged_fixtures())
def test_damaged_fixtures_parse(raw):
    check(mime.parse(raw))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=600), messages(), damaged_fixtures()))
def test_random_mail_is_stored_without_error(account, raw):
    message, _created = actions.store_email(account=account, raw=raw)
    again, created = actions.store_email(account=account, raw=raw)
    assert again.pk == message.pk and not created
    assert InboundMessage.objects.filter(pk=message.pk).exists()
