"""The OpenAPI schema is valid with no warnings, and the viewers load nothing from other hosts."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn turns any warning (unresolvable type, enum name clash) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for path in (
        "/api/v1/contacts/",
        "/api/v1/contacts/{id}/triage/",
        "/api/v1/cases/{reference}/transition/",
        "/api/v1/cases/{reference}/timeline/",
        "/api/v1/categories/",
    ):
        assert path in paths
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_endpoint_for_signed_in_users(api, client_for):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "smartsafe API"
    assert client_for(None).get("/api/schema/").status_code == 401


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_viewers_load_only_our_own_files(api, url):
    response = api.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), html
    for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "googleapis", "gstatic"):
        assert host not in html
    assert "/static/drf_spectacular_sidecar/" in html
    # No inline script or style: the Content-Security-Policy allows neither.
    assert not re.search(r"<script>\s*\S", html) and "<style" not in html


def test_swagger_init_script_is_served_separately(api):
    page = api.get("/api/docs/").content.decode()
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', page).group(1).replace("&amp;", "&")
    script = api.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_browsable_pages_render(api, counsellor, terms):
    from smartsafe.testing import make_case, make_contact

    contact, case = make_contact(counsellor), make_case(counsellor)
    for url in (
        "/api/v1/",
        "/api/v1/contacts/",
        f"/api/v1/contacts/{contact.pk}/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case.reference}/",
        f"/api/v1/cases/{case.reference}/notes/",
        "/api/v1/categories/",
    ):
        response = api.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
    assert api.get("/api/v1/contacts/?page=abc", HTTP_ACCEPT="text/html").status_code == 400
