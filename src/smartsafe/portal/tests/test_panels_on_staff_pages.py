"""Counsellors see what a public report is missing on the contact and case pages."""

import pytest
from django.urls import reverse

from smartsafe.cases.actions import open_case

pytestmark = pytest.mark.django_db


def test_missing_items_shown_on_contact_and_case(client, counsellor, filed):
    report, _secret = filed
    contact = report.contact
    case = open_case(actor=counsellor, contacts=[contact], title="Пријава са портала")
    client.force_login(counsellor)
    for url in (reverse("intake:detail", args=[contact.pk]), reverse("cases:detail", args=[case.reference])):
        page = client.get(url).content.decode()
        assert 'class="card completeness"' in page, url
        assert f"{report.completeness}% complete" in page, url
