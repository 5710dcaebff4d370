"""The case page names people, channels and institutions; it never shows their codes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from smartsafe import testing
from smartsafe.cases import actions

pytestmark = pytest.mark.django_db


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def test_timeline_and_pickers_name_things(client, supervisor):
    jelena = testing.make_user("counsellor", "jelena.markovic")
    jelena.display_name = "Јелена Марковић"
    jelena.save()
    police = testing.make_institution("rs-police-vtk", "police")
    police.name_en, police.name_sr = "High-tech crime police", "Полиција за високотехнолошки криминал"
    police.save()
    contact = testing.make_contact(jelena, channel=testing.channel("web_form"))
    case = testing.make_case(jelena, contacts=[contact])
    actions.assign_case(actor=supervisor, case=case, assignee=jelena)
    actions.share_with_institution(actor=supervisor, case=case, institution=police, reason="Police asked")
    client.force_login(supervisor)
    html = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    text = _visible(html)
    for code in ("web_form", "rs-police-vtk", "jelena.markovic"):
        assert not re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w.-])", text), code
    assert "(Web form)" in text
    assert "shared the case with High-tech crime police" in text
    assert "assigned the case to Јелена Марковић" in text

    page = client.get(reverse("cases:open")).content.decode()
    assert "Јелена Марковић</option>" in page and "(jelena.markovic)" not in page
