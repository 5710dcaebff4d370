import pytest
from django.urls import reverse

from smartsafe.taxonomy.models import AgeBand, Category, Channel, Municipality, Platform, ReporterType, Sex

pytestmark = pytest.mark.django_db

MODELS = (Channel, Category, Platform, ReporterType, AgeBand, Sex, Municipality)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_a_searchable_filterable_admin(client, superuser, taxonomy, model):
    client.force_login(superuser)
    name = model._meta.model_name
    listing = client.get(reverse(f"admin:taxonomy_{name}_changelist"))
    assert listing.status_code == 200
    assert (
        client.get(
            reverse(f"admin:taxonomy_{name}_changelist"), {"q": "нови", "active__exact": "1"}
        ).status_code
        == 200
    )
    obj = model.objects.first()
    change = client.get(reverse(f"admin:taxonomy_{name}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert 'name="code"' not in change.content.decode()  # a saved code is read-only
    assert client.get(reverse(f"admin:taxonomy_{name}_delete", args=[obj.pk])).status_code == 403


def test_category_admin_shows_the_framework_labels(client, superuser, taxonomy):
    client.force_login(superuser)
    body = client.get(reverse("admin:taxonomy_category_changelist")).content.decode()
    assert "Violence — Online sexual abuse (OSA)" in body and "Grooming" in body


def test_deactivating_keeps_the_row(client, superuser, taxonomy):
    client.force_login(superuser)
    letter = Channel.objects.get(code="letter")
    response = client.post(
        reverse("admin:taxonomy_channel_changelist"),
        {"action": "deactivate", "_selected_action": [letter.pk]},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.active is False
