"""Staff pages: access per role, the edit/preview/publish round trip, errors shown, never a 500."""

import pytest
from django.urls import reverse

from smartsafe.advice.models import Article, Status
from smartsafe.audit.models import AuditEvent
from smartsafe.testing import category, make_user

from .helpers import COMPLETE, make_article

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {"slug": "new-article", "audience": "children", **COMPLETE, "version": "", **overrides}


@pytest.mark.parametrize(
    "role,expected",
    [
        ("counsellor", 200),
        ("supervisor", 200),
        ("liaison", 403),
        ("analyst", 403),
        ("auditor", 403),
        ("prevention", 403),
        ("admin", 403),
    ],
)
def test_access_per_role(client, role, expected, supervisor):
    article = make_article(supervisor)
    client.force_login(make_user(role))
    urls = [
        reverse("advice:staff_list"),
        reverse("advice:staff_new"),
        reverse("advice:staff_detail", args=[article.pk]),
        reverse("advice:staff_edit", args=[article.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [expected] * 4


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("advice:staff_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_preview_edit_publish(client, counsellor, supervisor):
    client.force_login(counsellor)
    topic = category("cyberbullying")
    # Preview renders the three versions and saves nothing.
    data = form_data(body_sr="Ћао <script>alert(1)</script>**свима**", topics=[topic.pk], preview="1")
    response = client.post(reverse("advice:staff_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>свима</strong>" in html and "<strong>svima</strong>" in html and "Ćao" in html
    assert "<script>alert(1)" not in html
    assert not Article.objects.filter(slug="new-article").exists()

    del data["preview"]
    response = client.post(reverse("advice:staff_new"), data)
    article = Article.objects.get(slug="new-article")
    assert response.status_code == 302 and response["Location"] == reverse(
        "advice:staff_detail", args=[article.pk]
    )
    assert article.status == Status.DRAFT and list(article.topics.all()) == [topic]

    detail = client.get(reverse("advice:staff_detail", args=[article.pk])).content.decode()
    assert "http://testserver/advice/new-article/" in detail  # the link to paste into a reply
    assert reverse("advice:staff_publish", args=[article.pk]) not in detail  # counsellors don't publish
    assert client.post(reverse("advice:staff_publish", args=[article.pk])).status_code == 403

    edit = reverse("advice:staff_edit", args=[article.pk])
    response = client.post(edit, {**data, "title_en": "Renamed", "version": article.version})
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).title_en == "Renamed"

    client.force_login(supervisor)
    response = client.post(reverse("advice:staff_publish", args=[article.pk]))
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).is_published
    assert AuditEvent.objects.filter(action="advice.publish", actor=supervisor).count() == 1

    client.force_login(counsellor)  # public now: only a supervisor edits it
    assert client.get(edit).status_code == 403


def test_errors_are_shown_next_to_fields_and_input_kept(client, counsellor):
    client.force_login(counsellor)
    make_article(counsellor, slug="taken")
    response = client.post(reverse("advice:staff_new"), form_data(slug="taken", title_en="Kept title"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Another article already has this address." in html
    assert 'value="Kept title"' in html


def test_stale_edit_is_refused_and_keeps_the_text(client, counsellor, other_counsellor):
    article = make_article(counsellor)
    stale = article.version
    client.force_login(other_counsellor)
    first = form_data(slug=article.slug, title_en="Theirs", version=stale)
    assert client.post(reverse("advice:staff_edit", args=[article.pk]), first).status_code == 302
    client.force_login(counsellor)
    response = client.post(
        reverse("advice:staff_edit", args=[article.pk]),
        form_data(slug=article.slug, title_en="Mine", version=stale),
    )
    assert response.status_code == 409
    assert 'value="Mine"' in response.content.decode()


def test_publish_incomplete_shows_a_message(client, counsellor, supervisor):
    article = make_article(counsellor, body_en="")
    client.force_login(supervisor)
    response = client.post(reverse("advice:staff_publish", args=[article.pk]), follow=True)
    assert "Write the title, summary and text in both languages" in response.content.decode()
    assert not Article.objects.get(pk=article.pk).is_published


@pytest.mark.parametrize(
    "data",
    [
        {"slug": "\x00"},
        {"slug": "a" * 500},
        {"audience": "aliens"},
        {"topics": ["not-a-number"]},
        {"topics": ["999999"]},
        {"version": "-1"},
        {"version": "abc"},
        {"body_sr": "x" * 20_001},
        {"title_en": "\x00"},
    ],
)
def test_bad_input_is_a_4xx_never_a_500(client, counsellor, data):
    client.force_login(counsellor)
    response = client.post(reverse("advice:staff_new"), form_data(**data))
    assert response.status_code in (200, 302, 400)


def test_unknown_article_is_404(client, counsellor):
    client.force_login(counsellor)
    assert client.get(reverse("advice:staff_detail", args=[999999])).status_code == 404
    assert client.post(reverse("advice:staff_publish", args=[999999])).status_code == 404


def test_navigation_leads_writers_to_the_articles(client, counsellor):
    client.force_login(counsellor)
    html = client.get(reverse("advice:staff_list")).content.decode()
    assert f'href="{reverse("advice:staff_list")}" class="nav-advice is-active"' in html
    client.force_login(make_user("analyst"))
    assert "nav-advice" not in client.get("/").content.decode()
