"""The case page and its POST endpoints: workflow, notes, artefacts, assignment, links, edits."""

import pytest
from django.urls import reverse

from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions
from smartsafe.cases.models import Case, CaseState
from smartsafe.testing import category, make_case, make_institution, platform

pytestmark = pytest.mark.django_db


def url(name, case):
    return reverse(f"cases:{name}", args=[case.reference])


def post_transition(client, case, action, **data):
    return client.post(url("transition", case), {"action": action, **data})


def test_detail_shows_the_case_and_audits_the_read(client, counsellor):
    case = make_case(
        counsellor,
        title="Sextortion on Instagram",
        urgent=True,
        urgent_reason="Threatens to publish tonight",
        categories=[category("threats_blackmail")],
        platforms=[platform("instagram")],
    )
    client.force_login(counsellor)
    text = client.get(url("detail", case)).content.decode()
    assert case.reference in text and "Sextortion on Instagram" in text
    assert "urgent-banner" in text and "Threatens to publish tonight" in text
    assert "badge-state-new" in text
    assert category("threats_blackmail").name in text and platform("instagram").name in text
    assert f"K-{case.contacts.get().pk}" in text
    assert "opened the case" in text and "linked contact" in text
    assert (
        AuditEvent.objects.filter(action="case.view", actor=counsellor, object_id=str(case.pk)).count() == 1
    )


def test_reference_lookup_is_case_insensitive_and_unknown_is_404(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    assert client.get(reverse("cases:detail", args=[case.reference.lower()])).status_code == 200
    assert client.get(reverse("cases:detail", args=["SS-1999-000001"])).status_code == 404


def test_buttons_follow_the_state_and_the_role(client, counsellor, supervisor, auditor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    text = client.get(url("detail", case)).content.decode()
    assert 'value="start"' in text and 'value="close"' in text and 'value="approve_closure"' not in text
    client.force_login(auditor)
    text = client.get(url("detail", case)).content.decode()
    assert 'value="start"' not in text and "Add note" not in text, "auditors read only"


def test_closure_approval_flow_and_reopen(client, counsellor, supervisor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    assert post_transition(client, case, "start").status_code == 302
    response = post_transition(client, case, "close", resolution="advice_given", note="Parents advised")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CLOSURE
    page = client.get(url("detail", case)).content.decode()
    assert "Closure awaiting a supervisor" in page and "Advice given" in page
    assert 'value="approve_closure"' not in page

    response = post_transition(client, case, "approve_closure")
    assert response.status_code == 403 and "Only a supervisor may do this." in response.content.decode()

    client.force_login(supervisor)
    page = client.get(url("detail", case)).content.decode()
    assert 'value="approve_closure"' in page and 'value="reject_closure"' in page
    assert post_transition(client, case, "approve_closure").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_by == supervisor
    page = client.get(url("detail", case)).content.decode()
    assert "badge-state-closed" in page and "Approve closure" in page  # the timeline says what happened

    client.force_login(counsellor)
    assert post_transition(client, case, "reopen").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1


def test_supervisor_can_send_a_closure_back(client, counsellor, supervisor):
    case = make_case(counsellor)
    actions.transition_case(actor=counsellor, case=case, action="close", resolution="duplicate")
    client.force_login(supervisor)
    assert post_transition(client, case, "reject_closure", note="Call the school first").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    assert "Call the school first" in client.get(url("detail", case)).content.decode()


def test_illegal_transition_is_409_with_a_message(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    response = post_transition(client, case, "reopen")
    assert response.status_code == 409
    text = response.content.decode()
    assert "is not possible while the case is" in text and "Possible now" in text
    assert post_transition(client, case, "no-such-action").status_code == 409
    case.refresh_from_db()
    assert case.state == CaseState.NEW


def test_close_without_resolution_is_400_and_keeps_the_note(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    response = post_transition(client, case, "close", resolution="", note="My careful note")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose how the case was resolved." in text and "My careful note" in text
    assert '<details class="case-close" open>' in text


def test_transition_from_a_stale_page_is_409(client, counsellor):
    case = make_case(counsellor)
    old_version = case.version
    actions.update_case(actor=counsellor, case=case, expected_version=old_version, title="Changed meanwhile")
    client.force_login(counsellor)
    response = post_transition(client, case, "start", version=old_version)
    assert response.status_code == 409 and "Someone else changed this record" in response.content.decode()


def test_auditor_cannot_act(client, counsellor, auditor):
    case = make_case(counsellor)
    client.force_login(auditor)
    assert post_transition(client, case, "start").status_code == 403
    assert client.post(url("note", case), {"body": "x"}).status_code == 403
    assert client.post(url("artefact", case), {"kind": "phone", "value": "0641234567"}).status_code == 403
    assert client.post(url("assign", case), {"assignee": "me"}).status_code == 403
    assert client.post(url("link", case), {"other": case.reference}).status_code == 403


def test_add_note_full_page_and_htmx(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    response = client.post(url("note", case), {"body": "Called the mother back"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    response = client.post(url("note", case), {"body": "Second note"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200 and text.lstrip().startswith("<section") and 'id="notes"' in text
    assert "Called the mother back" in text and "Second note" in text
    assert 'id="timeline" aria-labelledby="timeline-heading" hx-swap-oob="true"' in text
    assert "<html" not in text
    response = client.post(url("note", case), {"body": "   "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_artefact_links_cases_and_shows_the_other_case(client, counsellor):
    first = make_case(counsellor, title="First report")
    second = make_case(counsellor, title="Second report")
    actions.add_artefact(
        actor=counsellor, case=first, kind="profile_url", value="https://www.instagram.com/ana.petrovic/"
    )
    client.force_login(counsellor)
    response = client.post(
        url("artefact", second),
        {"kind": "username", "value": "@Ana.Petrovic", "platform": platform("instagram").pk},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"also in {first.reference}" in page
    assert f'href="{url("detail", first)}"' in page
    assert "The same artefact is in" in page and first.reference in page
    assert f"also in {second.reference}" in client.get(url("detail", first)).content.decode()


def test_invalid_artefact_is_400_next_to_the_field(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    response = client.post(url("artefact", case), {"kind": "url", "value": "javascript:alert(1)"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "This is not a web address." in text and 'value="javascript:alert(1)"' in text
    response = client.post(url("artefact", case), {"kind": "bogus", "value": "x"})
    assert response.status_code == 400


def test_assignment(client, counsellor, other_counsellor, supervisor):
    case = make_case(counsellor, contacts=[], assigned_to=None)
    Case.objects.filter(pk=case.pk).update(assigned_to=None)
    client.force_login(other_counsellor)
    assert "Take this case" in client.get(url("detail", case)).content.decode()
    assert client.post(url("assign", case), {"assignee": "me"}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == other_counsellor

    client.force_login(counsellor)
    response = client.post(url("assign", case), {"assignee": "me"})
    assert response.status_code == 403 and "You may not assign this case." in response.content.decode()

    client.force_login(supervisor)
    assert client.post(url("assign", case), {"assignee": counsellor.username}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == counsellor
    assert client.post(url("assign", case), {"assignee": "nobody-by-that-name"}).status_code == 400
    assert "assigned the case to" in client.get(url("detail", case)).content.decode()


def test_link_by_reference(client, counsellor):
    first, second = make_case(counsellor), make_case(counsellor)
    client.force_login(counsellor)
    response = client.post(url("link", first), {"other": second.reference.lower()})
    assert response.status_code == 302
    page = client.get(url("detail", first)).content.decode()
    linked = page[page.index('id="linked"') : page.index('id="timeline"')]
    assert second.reference in linked
    response = client.post(url("link", first), {"other": "SS-0000-404"})
    assert (
        response.status_code == 400 and "There is no case with that reference." in response.content.decode()
    )
    response = client.post(url("link", first), {"other": first.reference})
    assert response.status_code == 400 and "cannot be linked to itself" in response.content.decode()


def test_edit_saves_and_records_a_version(client, counsellor):
    case = make_case(counsellor, title="Old title")
    client.force_login(counsellor)
    form = client.get(url("edit", case)).context["form"]
    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        "title": "New title",
        "summary": "More detail",
    }
    data["urgent"] = ""
    response = client.post(url("edit", case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "New title"
    page = client.get(url("detail", case)).content.decode()
    assert "changed: summary, title" in page
    versions = page[page.index('id="versions"') :]
    assert "<td>summary, title</td>" in versions


def test_stale_edit_is_refused_and_keeps_what_was_typed(client, counsellor, other_counsellor):
    case = make_case(counsellor, title="Original")
    client.force_login(counsellor)
    read_version = case.version
    actions.update_case(
        actor=other_counsellor, case=case, expected_version=read_version, summary="Their change"
    )
    response = client.post(
        url("edit", case),
        {"title": "My new title", "summary": "My summary", "kind": "advisory", "version": read_version},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else changed this record" in text
    assert 'value="My new title"' in text and "My summary" in text
    case.refresh_from_db()
    assert case.title == "Original" and case.summary == "Their change"


def test_edit_urgent_without_reason_is_400(client, counsellor):
    case = make_case(counsellor)
    client.force_login(counsellor)
    response = client.post(
        url("edit", case), {"title": "T", "kind": "advisory", "urgent": "on", "version": case.version}
    )
    assert (
        response.status_code == 400
        and "Say why the child is in immediate danger." in response.content.decode()
    )


def test_title_with_a_script_is_escaped_everywhere(client, counsellor):
    payload = "<script>alert(1)</script>"
    case = make_case(counsellor, title=payload)
    actions.add_note(actor=counsellor, case=case, body=payload)
    actions.add_artefact(actor=counsellor, case=case, kind="username", value="a{b}<i>")
    client.force_login(counsellor)
    for page in (
        client.get(url("detail", case)),
        client.get(reverse("cases:list")),
        client.get(url("edit", case)),
    ):
        text = page.content.decode()
        assert page.status_code == 200
        assert payload not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_timeline_renders_every_kind_as_a_sentence(client, counsellor, supervisor):
    other = make_case(counsellor, title="Other")
    case = make_case(counsellor, title="Story")
    actions.update_case(
        actor=counsellor, case=case, expected_version=case.version, urgent=True, urgent_reason="Meeting"
    )
    case.refresh_from_db()
    actions.update_case(actor=counsellor, case=case, expected_version=case.version, urgent=False)
    actions.assign_case(actor=supervisor, case=case, assignee=None)
    actions.add_note(actor=counsellor, case=case, body="n")
    actions.add_artefact(actor=counsellor, case=case, kind="phone", value="064 123 4567")
    actions.link_cases(actor=counsellor, case=case, other=other)
    institution = make_institution()
    actions.share_with_institution(actor=supervisor, case=case, institution=institution, reason="Test share")
    actions.revoke_share(actor=supervisor, case=case, institution=institution)
    actions.transition_case(actor=counsellor, case=case, action="start")
    client.force_login(counsellor)
    page = client.get(url("detail", case)).content.decode()
    timeline = page[page.index('id="timeline"') : page.index('id="versions"')]
    for sentence in (
        "opened the case “Story”",
        "linked contact K-",
        "flagged the child as in immediate danger: Meeting",
        "cleared the immediate-danger flag",
        "changed: child in immediate danger",
        "left the case unassigned",
        "added a note",
        "added an online artefact (Phone number): 064 123 4567",
        f'linked this case with <a href="{url("detail", other)}">{other.reference}</a>',
        "shared the case with Institution police-test",
        "stopped sharing the case with Institution police-test",
        "Start work — from “New” to “In progress”",
    ):
        assert sentence in timeline, sentence
    assert str(counsellor) in timeline and str(supervisor) in timeline


def test_posts_need_post_and_login(client, counsellor):
    case = make_case(counsellor)
    assert client.post(url("note", case), {"body": "x"}).status_code == 302  # to the login page
    client.force_login(counsellor)
    assert client.get(url("note", case)).status_code == 405
    assert client.post(reverse("cases:note", args=["SS-9999-999999"]), {"body": "x"}).status_code == 404
