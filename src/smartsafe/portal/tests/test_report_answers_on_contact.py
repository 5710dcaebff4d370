"""A web report on its contact's page: the reporter's words, then each answer as a labelled field
in the reader's language — not the summary's text written in the centre's language."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def _fields(html: str) -> dict[str, str]:
    block = html.split('<dl class="facts report-fields">')[1].split("</dl>")[0]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block, flags=re.S)
    return {
        label: re.sub(r"<[^>]+>", " ", value).split() and " ".join(re.sub(r"<[^>]+>", " ", value).split())
        for label, value in pairs
    }


def test_contact_page_shows_words_and_labelled_answers(client, counsellor, filed):
    report, _secret = filed
    client.force_login(counsellor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        html = client.get(reverse("intake:detail", args=[report.contact.pk])).content.decode()
    assert 'class="bubble bubble-in"' in html and "They post mean things about me" in html
    fields = _fields(html)
    assert fields["Where"] == "Instagram"
    assert fields["Web addresses"] == "https://www.instagram.com/p/abc123/"
    assert fields["Person responsible (user names, profiles)"] == "@bully_one"
    assert fields["Municipality"].startswith("Beograd") or fields["Municipality"].startswith("Belgrade")
    assert fields["Public report"] == report.reference
    assert "Web addresses:" not in html  # the summary's text dump is not shown


def test_a_contact_that_is_not_a_web_report_shows_its_summary(client, counsellor):
    from smartsafe import testing

    contact = testing.make_contact(counsellor, summary="Позив: родитељ пита за контролу")
    client.force_login(counsellor)
    html = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "Позив: родитељ пита за контролу" in html and "report-fields" not in html
