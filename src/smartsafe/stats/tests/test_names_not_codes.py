"""The dashboard names things: categories, channels and people by their names, codes only in the
exports (where other systems read them)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from smartsafe import testing
from smartsafe.taxonomy.models import Category, Channel

pytestmark = pytest.mark.django_db


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style|select)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_dashboard_shows_names_and_exports_keep_codes(client, supervisor):
    counsellor = testing.make_user("counsellor", "jelena.markovic")
    counsellor.display_name = "Јелена Марковић"
    counsellor.save()
    web = Channel.objects.get(code="web_form")
    threats = Category.objects.get(code="threats_blackmail")
    contact = testing.make_contact(counsellor, channel=web)
    testing.make_case(counsellor, contacts=[contact], categories=[threats], kind="referred")
    client.force_login(supervisor)
    html = client.get(reverse("stats:dashboard")).content.decode()
    text = _visible(html)
    for code in ("web_form", "threats_blackmail", "jelena.markovic"):
        assert not re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w.-])", text), code
    assert "Јелена Марковић" in text and "Web form" in text and "Threats and blackmail" in text
    assert ">Code<" not in html
    csv = client.get(reverse("stats:export", args=["contacts_by_channel", "csv"])).content.decode()
    assert "Code" in csv and "web_form" in csv
