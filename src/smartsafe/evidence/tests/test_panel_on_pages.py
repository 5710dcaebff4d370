"""The vault's panel appears on the staff case and contact pages, without previews."""

import pytest
from django.urls import reverse

from smartsafe.evidence.actions import receive_file
from smartsafe.testing import make_case, make_contact

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_case_and_contact_pages_list_files_without_showing_them(client, counsellor):
    contact = make_contact(counsellor)
    case = make_case(counsellor, contacts=[contact])
    stored = receive_file(
        data=_png(), filename="screenshot.png", contact=contact, via="staff", actor=counsellor
    )
    client.force_login(counsellor)
    for url in (reverse("cases:detail", args=[case.reference]), reverse("intake:detail", args=[contact.pk])):
        page = client.get(url).content.decode()
        assert 'id="evidence"' in page
        assert "screenshot.png" in page
        assert stored.sha256[:12] in page
        assert "<img" not in page, "no automatic preview of evidence"
        assert 'name="csrfmiddlewaretoken"' in page
