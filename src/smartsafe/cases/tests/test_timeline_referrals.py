"""Referral events on the case timeline read as sentences naming the institution."""

import pytest

from smartsafe.cases.models import TimelineEntry
from smartsafe.cases.templatetags.case_tags import timeline_sentence
from smartsafe.testing import make_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kind,data,expected",
    [
        ("referral_create", {}, "drafted a referral to Institution police-test"),
        (
            "referral_complete",
            {"on_behalf": True, "note": "<b>done</b>", "institution_reference": "KU-12"},
            "referral to Institution police-test — Complete with feedback",
        ),
        ("referral_delivery_failed", {"error": "550 No such user"}, "failed: 550 No such user"),
        ("referral_delivered", {}, "delivered to Institution police-test by e-mail"),
    ],
)
def test_referral_sentences(counsellor, police, kind, data, expected):
    case = make_case(counsellor)
    entry = TimelineEntry.objects.create(
        case=case, kind=kind, actor=counsellor, data={"institution": police.code, **data}
    )
    sentence = str(timeline_sentence(entry))
    assert expected in sentence
    assert "<b>" not in sentence, "notes from institutions are escaped"
    if data.get("on_behalf"):
        assert "on the institution" in sentence and "KU-12" in sentence


def test_email_sentences(counsellor):
    case = make_case(counsellor)
    sent = TimelineEntry.objects.create(
        case=case, kind="email_sent", actor=counsellor, data={"contact": "K-7", "subject": "Re: <b>помоћ</b>"}
    )
    received = TimelineEntry.objects.create(
        case=case, kind="email_received", data={"contact": "K-7", "subject": "Хвала"}
    )
    assert "replied by e-mail on K-7" in str(timeline_sentence(sent))
    assert "<b>" not in str(timeline_sentence(sent))
    assert "An e-mail arrived on K-7" in str(timeline_sentence(received))


@pytest.mark.parametrize(
    "kind,actor,expected",
    [
        ("message_sent", True, "replied to K-8 on Viber."),
        ("message_received", False, "A Telegram message arrived on K-8."),
    ],
)
def test_messenger_sentences(counsellor, kind, actor, expected):
    case = make_case(counsellor)
    channel = "viber" if kind == "message_sent" else "telegram"
    entry = TimelineEntry.objects.create(
        case=case, kind=kind, actor=counsellor if actor else None, data={"contact": "K-8", "channel": channel}
    )
    assert expected in str(timeline_sentence(entry))
    hostile = TimelineEntry.objects.create(
        case=case, kind=kind, data={"contact": "<b>K</b>", "channel": "<i>x"}
    )
    sentence = str(timeline_sentence(hostile))
    assert "<b>" not in sentence and "<i>" not in sentence and "&lt;b&gt;K&lt;/b&gt;" in sentence
