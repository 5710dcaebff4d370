"""Statistics are reachable: staff navigation for those who may see them, the public footer for all."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role,shown", [("analyst", True), ("supervisor", True), ("liaison", False), ("prevention", False)]
)
def test_staff_navigation(client, role, shown):
    from smartsafe.testing import make_user

    client.force_login(make_user(role))
    page = client.get(reverse("home"), follow=True).content.decode()
    assert (f'href="{reverse("stats:dashboard")}"' in page) is shown


def test_public_footer_links_the_public_statistics(client):
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("stats:public")}"' in page
