"""The case list, "open a case" and who may open which page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import add_artefact, share_with_institution
from smartsafe.cases.models import Case
from smartsafe.intake.models import ContactState
from smartsafe.testing import category, make_case, make_contact, make_user, platform

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
OPEN = reverse("cases:open")


def detail(case):
    return reverse("cases:detail", args=[case.reference])


# --- who sees what -----------------------------------------------------------------------------

PAGE_STATUS = {
    # role: (list, detail, open, edit)
    "counsellor": (200, 200, 200, 200),
    "supervisor": (200, 200, 200, 200),
    "auditor": (200, 200, 403, 403),
    "analyst": (403, 404, 403, 404),
    "prevention": (403, 404, 403, 404),
    "admin": (403, 404, 403, 404),
}


@pytest.mark.parametrize("role,expected", PAGE_STATUS.items())
def test_every_page_per_role(client, counsellor, role, expected):
    case = make_case(counsellor)
    client.force_login(make_user(role))
    urls = (LIST, detail(case), OPEN, reverse("cases:edit", args=[case.reference]))
    assert tuple(client.get(url).status_code for url in urls) == expected


def test_anonymous_is_sent_to_login(client, counsellor):
    case = make_case(counsellor)
    for url in (LIST, detail(case), OPEN):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_liaison_sees_only_shared_cases_and_a_limited_view(
    client, counsellor, police, police_liaison, supervisor
):
    secret = make_case(counsellor, title="Not shared at all")
    shared = make_case(counsellor, title="Shared with police", categories=[category("threats_blackmail")])
    from smartsafe.cases.actions import add_note

    add_note(actor=counsellor, case=shared, body="Internal note about the family")
    add_artefact(actor=counsellor, case=shared, kind="profile_url", value="https://instagram.com/bad.actor")
    share_with_institution(actor=supervisor, case=shared, institution=police, reason="Test share")
    client.force_login(police_liaison)

    assert client.get(detail(secret)).status_code == 404
    assert client.get(reverse("cases:edit", args=[shared.reference])).status_code == 403
    page = client.get(detail(shared))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Shared with police" in text and "instagram.com/bad.actor" in text
    assert category("threats_blackmail").name in text
    assert "Internal note" not in text, "liaisons never see internal notes"
    assert "K-" not in text, "liaisons never see the contacts"
    listing = client.get(LIST).content.decode()
    assert shared.reference in listing and secret.reference not in listing
    response = client.post(reverse("cases:note", args=[shared.reference]), {"body": "from the police"})
    assert response.status_code == 403


# --- list ----------------------------------------------------------------------------------------


def test_list_puts_urgent_first_and_shows_the_columns(client, counsellor):
    plain = make_case(counsellor, title="Plain case", categories=[category("cyberbullying")])
    urgent = make_case(counsellor, title="Urgent case", urgent=True, urgent_reason="Meeting tonight")
    Case.objects.filter(pk=plain.pk).update(opened_at=timezone.now() - dt.timedelta(days=3))
    client.force_login(counsellor)
    text = client.get(LIST).content.decode()
    assert text.index(urgent.reference) < text.index(plain.reference)
    assert 'class="is-urgent"' in text and "badge-urgent" in text
    row = text[text.index(plain.reference) :].split("</tr>")[0]
    assert category("cyberbullying").name in row and "badge-state-new" in row
    assert "<td>3</td>" in row, "age in days"


def test_list_filters(client, counsellor, other_counsellor):
    mine = make_case(counsellor, title="Mine", categories=[category("predators")])
    theirs = make_case(other_counsellor, title="Theirs", platforms=[platform("tiktok")])
    client.force_login(counsellor)

    def refs(**params):
        text = client.get(LIST, params).content.decode()
        return {c.reference for c in (mine, theirs) if c.reference in text}

    assert refs() == {mine.reference, theirs.reference}
    assert refs(assignee="me") == {mine.reference}
    assert refs(assignee=other_counsellor.username) == {theirs.reference}
    assert refs(category="predators") == {mine.reference}
    assert refs(platform="tiktok") == {theirs.reference}
    assert refs(search="theirs") == {theirs.reference}
    assert refs(open="false") == set()
    assert refs(state="new") == {mine.reference, theirs.reference}


def test_search_finds_a_case_by_a_pasted_profile_link(client, counsellor):
    target = make_case(counsellor, title="Impersonation")
    other = make_case(counsellor, title="Other")
    add_artefact(
        actor=counsellor, case=target, kind="username", value="@Ana.Petrovic", platform=platform("instagram")
    )
    client.force_login(counsellor)
    text = client.get(LIST, {"search": "https://www.instagram.com/ana.petrovic/?igshid=xyz"}).content.decode()
    assert target.reference in text and other.reference not in text


def test_invalid_filter_values_do_not_break_the_page(client, counsellor):
    make_case(counsellor)
    client.force_login(counsellor)
    response = client.get(
        LIST, {"opened_from": "not-a-date", "state": "nonsense", "page": "999", "urgent": "maybe"}
    )
    assert response.status_code == 200


def test_each_list_request_is_audited_once(client, counsellor):
    make_case(counsellor)
    client.force_login(counsellor)
    client.get(LIST, {"search": "abc", "page": "1"})
    events = AuditEvent.objects.filter(action="case.list", actor=counsellor)
    assert events.count() == 1
    assert events.get().details["filters"] == {"search": ["abc"]}


def test_list_query_count_does_not_grow_with_rows(client, counsellor, django_assert_num_queries):
    for _n in range(3):
        make_case(counsellor, categories=[category("cyberbullying"), category("predators")])
    client.force_login(counsellor)
    client.get(LIST)  # warm up session and content types
    # session + user, count, the page, categories prefetch, filter choices, and the audit
    # record's single insert (it is sealed into the chain after the commit).
    with django_assert_num_queries(10) as first:
        client.get(LIST)
    for _n in range(7):
        make_case(counsellor, categories=[category("cyberbullying")], platforms=[platform()])
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(LIST)


def test_list_paginates(client, counsellor):
    for _ in range(27):
        make_case(counsellor, contacts=[])
    client.force_login(counsellor)
    first = client.get(LIST).content.decode()
    assert "Page 1 of 2" in first and "page=2" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count('<tr class="">') == 2


# --- open a case ---------------------------------------------------------------------------------


def test_open_form_is_prefilled_from_the_contact(client, counsellor):
    topic = category("privacy_settings", "advisory")
    contact = make_contact(
        counsellor, subject="Lažni profil", summary="Neko koristi moje slike", urgent=True, topics=[topic]
    )
    client.force_login(counsellor)
    response = client.get(OPEN, {"contact": contact.pk})
    form = response.context["form"]
    assert form.initial["title"] == "Lažni profil"
    assert form.initial["categories"] == [topic.pk] and form.initial["urgent"] is True
    text = response.content.decode()
    assert f'name="contact" value="{contact.pk}"' in text and f"K-{contact.pk}" in text
    assert AuditEvent.objects.filter(action="contact.view", object_id=str(contact.pk)).exists()


def test_categories_list_referral_categories_before_advisory_topics(client, counsellor):
    advisory = category("aaa_parental_controls", "advisory")
    referral = category("zzz_threats", "referral")
    client.force_login(counsellor)
    choices = [value.value for value, _ in client.get(OPEN).context["form"].fields["categories"].choices]
    assert choices.index(referral.pk) < choices.index(advisory.pk)


def test_open_from_contacts_links_them(client, counsellor):
    first, second = make_contact(counsellor), make_contact(counsellor)
    client.force_login(counsellor)
    response = client.post(
        OPEN,
        {
            "contact": [first.pk, second.pk],
            "title": "Ucena na Instagramu",
            "summary": "Dete je ucenjeno",
            "kind": "referred",
            "categories": [category("threats_blackmail").pk],
            "platforms": [platform("instagram").pk],
            "assignee": counsellor.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(case)
    assert case.kind == "referred" and [c.code for c in case.categories.all()] == ["threats_blackmail"]
    for contact in (first, second):
        contact.refresh_from_db()
        assert contact.state == ContactState.LINKED and contact.case == case
    page = client.get(response["Location"]).content.decode()
    assert f"Case {case.reference} opened." in page and f"K-{first.pk}" in page


def test_open_keeps_what_was_typed_when_invalid(client, counsellor):
    contact = make_contact(counsellor)
    client.force_login(counsellor)
    response = client.post(
        OPEN,
        {
            "contact": contact.pk,
            "title": "Sextortion <b>now</b>",
            "summary": "Typed summary",
            "urgent": "on",
            "urgent_reason": "",
            "kind": "advisory",
            "assignee": counsellor.pk,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say why the child is in immediate danger." in text
    assert 'value="Sextortion &lt;b&gt;now&lt;/b&gt;"' in text and "Typed summary" in text
    assert f'name="contact" value="{contact.pk}"' in text, "the contact stays attached to the form"
    assert not Case.objects.exists()


def test_open_with_a_contact_already_in_a_case_shows_why(client, counsellor):
    contact = make_contact(counsellor)
    existing = make_case(counsellor, contacts=[contact])
    client.force_login(counsellor)
    response = client.post(
        OPEN, {"contact": contact.pk, "title": "Again", "kind": "advisory", "assignee": counsellor.pk}
    )
    assert response.status_code == 400
    assert existing.reference in response.content.decode()
    assert Case.objects.count() == 1


def test_open_with_unknown_contact_is_404(client, counsellor):
    client.force_login(counsellor)
    assert client.get(OPEN, {"contact": "99999"}).status_code == 404
    assert client.get(OPEN, {"contact": "x' OR 1=1"}).status_code == 404


def test_counsellor_cannot_hand_a_new_case_to_a_colleague(client, counsellor, other_counsellor, supervisor):
    client.force_login(counsellor)
    response = client.post(OPEN, {"title": "X", "kind": "advisory", "assignee": other_counsellor.pk})
    assert response.status_code == 400 and not Case.objects.exists()
    client.force_login(supervisor)
    response = client.post(OPEN, {"title": "X", "kind": "advisory", "assignee": other_counsellor.pk})
    assert response.status_code == 302 and Case.objects.get().assigned_to == other_counsellor
