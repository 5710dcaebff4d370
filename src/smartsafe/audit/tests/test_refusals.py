"""Refused writes are audited at the boundary that answered, after the action rolled back."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from smartsafe.audit.models import AuditEvent
from smartsafe.testing import make_case, make_contact

pytestmark = pytest.mark.django_db


def _refusals(**filters):
    return AuditEvent.objects.filter(action="write.refused", outcome="denied", **filters)


def test_illegal_case_transition_on_the_page(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    response = client.post(
        reverse("cases:transition", args=[case.reference]), {"action": "reopen", "version": case.version}
    )
    assert response.status_code == 409
    event = _refusals(object_id=str(case.pk)).get()
    assert event.details["reason"] == "illegal_transition"
    assert event.details["state"] == "new" and event.details["requested"] == "reopen"


def test_illegal_and_stale_contact_transitions_on_the_page(client, counsellor):
    contact = make_contact(counsellor, close=True)
    client.force_login(counsellor)
    assert client.post(reverse("intake:transition", args=[contact.pk, "close"])).status_code == 409
    assert _refusals(object_id=str(contact.pk), details__reason="illegal_transition").exists()


def test_api_refusals_name_fields_not_values(counsellor, other_counsellor):
    hidden = make_contact(other_counsellor)
    case = make_case(counsellor)
    api = APIClient()
    api.force_authenticate(counsellor)
    # A contact id that does not exist / may not be seen, and an illegal transition, and a stale version.
    response = api.post("/api/v1/cases/", {"title": "X", "contacts": [999999]}, format="json")
    assert response.status_code == 400
    invalid = _refusals(details__reason="invalid").get()
    assert invalid.details["fields"] == ["contacts"] and "999999" not in str(invalid.details)
    assert (
        api.post(
            f"/api/v1/cases/{case.reference}/transition/", {"action": "reopen"}, format="json"
        ).status_code
        == 409
    )
    assert _refusals(details__reason="illegal_transition").exists()
    stale = api.patch(
        f"/api/v1/cases/{case.reference}/", {"title": "Y", "version": case.version + 5}, format="json"
    )
    assert stale.status_code == 409
    assert _refusals(details__reason="stale_version").exists()
    assert hidden.pk  # the other counsellor's contact exists; refusals never leak it
