"""The staff referral pages: the case panel, referring, the draft and its packet, the workflow
buttons, recording the institution's answer and deliveries, messages, the dashboard, roles."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse
from django.utils.html import escape

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.directory.models import Institution
from smartsafe.referrals import actions, delivery
from smartsafe.referrals.models import DeliveryStatus, Referral, ReferralEvent
from smartsafe.referrals.models import ReferralState as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def vtk(db):
    """The police high-tech-crime department from the shipped directory, on the portal."""
    institution = Institution.objects.get(code="rs-police-vtk")
    institution.uses_portal = True
    institution.save()
    return institution


@pytest.fixture
def hotline(db):
    return Institution.objects.get(code="rs-hotline-netpatrola")  # the one with an e-mail address


@pytest.fixture
def urgent_case(counsellor):
    return testing.make_case(
        counsellor,
        title="Уцена на Инстаграму",
        summary="Одрасла особа уцењује дете фотографијама.",
        urgent=True,
        urgent_reason="Договорен сусрет вечерас",
        categories=[testing.category("threats_blackmail")],
    )


def login(client, user):
    client.force_login(user)
    return client


def case_url(case):
    return reverse("cases:detail", kwargs={"reference": case.reference})


def detail(referral):
    return reverse("referrals:detail", kwargs={"pk": referral.pk})


def post_transition(client, referral, action, **fields):
    referral.refresh_from_db()
    data = {"action": action, "version": referral.version, **fields}
    return client.post(reverse("referrals:transition", kwargs={"pk": referral.pk}), data)


# --- the case page's panel ------------------------------------------------------------------------


def test_case_page_shows_the_referrals_panel_with_refer_and_each_referral(
    client, counsellor, urgent_case, vtk, make_referral
):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.ACKNOWLEDGED)
    Referral.objects.filter(pk=referral.pk).update(institution_reference="ВТК-77/2026")
    response = login(client, counsellor).get(case_url(urgent_case))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="referrals"' in body
    assert reverse("referrals:refer", kwargs={"reference": urgent_case.reference}) in body
    assert vtk.name in body and "ВТК-77/2026" in body
    assert 'class="badge badge-state-acknowledged"' in body
    assert "respond by" in body


def test_failed_delivery_reads_sent_delivery_failed_with_the_error_and_a_retry(
    client, counsellor, supervisor, urgent_case, hotline, settings
):
    referral = actions.create_referral(
        actor=counsellor, case=urgent_case, institution=hotline, delivery_method="email"
    )
    actions.transition_referral(actor=supervisor, referral=referral, action="send")
    # A real refusal: nothing listens on this port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    assert delivery.deliver(referral.pk) == "failed"
    referral.refresh_from_db()
    assert referral.state == S.SENT and referral.delivery_status == DeliveryStatus.FAILED

    body = login(client, counsellor).get(case_url(urgent_case)).content.decode()
    assert f"sent — delivery failed: 127.0.0.1:{port}" in body
    retry_url = reverse("referrals:retry", kwargs={"pk": referral.pk})
    assert retry_url in body

    response = client.post(retry_url, {"next": case_url(urgent_case)})
    assert response.status_code == 302 and response["Location"] == case_url(urgent_case)
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.PENDING
    assert AuditEvent.objects.filter(action="referral.delivery_retry", actor=counsellor).exists()
    # Nothing to retry now: told so, not a 500.
    assert client.post(retry_url).status_code == 400


def test_overdue_deadline_is_highlighted_in_the_panel(client, counsellor, urgent_case, vtk, make_referral):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    Referral.objects.filter(pk=referral.pk).update(acknowledge_due_at=referral.sent_at.replace(year=2020))
    body = login(client, counsellor).get(case_url(urgent_case)).content.decode()
    assert "is-overdue" in body and "badge-overdue" in body


# --- referring ------------------------------------------------------------------------------------


def test_refer_page_lists_the_routing_suggestions_ticked_with_their_reasons(
    client, counsellor, urgent_case, vtk
):
    response = login(client, counsellor).get(
        reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{vtk.code}" id="suggest-1" checked' in body
    assert "every urgent case" in body
    assert 'name="other"' in body and "<optgroup" in body  # the directory, grouped by type
    assert escape(Institution.objects.get(code="rs-csr-nis").name) in body


def test_refer_creates_one_draft_and_opens_it(client, counsellor, urgent_case, vtk):
    url = reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    response = login(client, counsellor).post(
        url, {"institutions": [vtk.code], "reason": "Сусрет вечерас", "delivery_method": "portal"}
    )
    referral = Referral.objects.get(case=urgent_case)
    assert response.status_code == 302 and response["Location"] == detail(referral)
    assert referral.state == S.DRAFT and referral.institution == vtk and referral.urgent
    assert referral.delivery_method == "portal" and referral.reason == "Сусрет вечерас"
    assert referral.packet_language == "sr"  # the institution's language


def test_refer_to_several_institutions_at_once(client, counsellor, urgent_case, vtk):
    url = reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    response = login(client, counsellor).post(
        url, {"institutions": [vtk.code], "other": "rs-csr-nis", "kind": "support", "packet_language": "en"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#referrals")
    referrals = Referral.objects.filter(case=urgent_case).order_by("institution__code")
    assert [r.institution.code for r in referrals] == ["rs-csr-nis", "rs-police-vtk"]
    assert {r.kind for r in referrals} == {"support"} and {r.packet_language for r in referrals} == {"en"}
    # The suggestion's reason is used when the counsellor writes none.
    assert referrals.get(institution=vtk).reason.startswith("every urgent case")


def test_refer_without_a_choice_or_with_an_impossible_delivery_keeps_what_was_typed(
    client, counsellor, urgent_case, vtk
):
    url = reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    login(client, counsellor)
    response = client.post(url, {"reason": "Мој разлог <b>"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick a suggested institution or choose another one." in body
    assert "Мој разлог &lt;b&gt;" in body

    # The social work centre is not on the portal: nothing is created, the error is beside the field.
    response = client.post(
        url,
        {
            "institutions": [vtk.code],
            "other": "rs-csr-nis",
            "delivery_method": "portal",
            "reason": "Задржи ово",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "does not use the portal" in body and "Задржи ово" in body
    assert not Referral.objects.filter(case=urgent_case).exists()


def test_searching_the_directory_narrows_the_list_and_keeps_the_form(client, counsellor, urgent_case, vtk):
    url = reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    response = login(client, counsellor).post(
        url, {"search": "1", "q": "nis", "reason": "Не губи ово", "institutions": [vtk.code]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(Institution.objects.get(code="rs-csr-nis").name) in body
    assert escape(Institution.objects.get(code="rs-csr-novi-sad").name) not in body
    assert "Не губи ово" in body and f'value="{vtk.code}" id="suggest-1" checked' in body
    assert not Referral.objects.exists()


def test_refer_a_closed_case_says_so(client, counsellor, supervisor, vtk):
    case = testing.make_case(counsellor)
    from smartsafe.cases import actions as case_actions

    case_actions.transition_case(actor=supervisor, case=case, action="close", resolution="advice_given")
    url = reverse("referrals:refer", kwargs={"reference": case.reference})
    response = login(client, counsellor).post(url, {"other": vtk.code})
    assert response.status_code == 400 and "reopen it" in response.content.decode()


# --- the draft, its packet and the workflow --------------------------------------------------------


def test_draft_page_previews_the_packet_and_offers_the_pdf(client, counsellor, urgent_case, vtk):
    referral = actions.create_referral(actor=counsellor, case=urgent_case, institution=vtk, reason="Хитно")
    response = login(client, counsellor).get(detail(referral))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preview: the packet is built from the case" in body
    assert "Одрасла особа уцењује дете фотографијама." in body and urgent_case.reference in body
    assert "Submit for approval" in body and "Revoke the referral" in body
    assert 'name="delivery_method"' in body  # the draft can be changed
    assert ">Send<" not in body  # approval is on: a counsellor submits

    pdf = client.get(reverse("referrals:packet_pdf", kwargs={"pk": referral.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="{urgent_case.reference}-referral-{referral.pk}.pdf"' in pdf["Content-Disposition"]
    json_file = client.get(reverse("referrals:packet_json", kwargs={"pk": referral.pk}))
    assert json_file.json()["case"]["reference"] == urgent_case.reference
    assert AuditEvent.objects.filter(action="referral.view", details__download="pdf").exists()


def test_edit_draft_and_a_stale_edit_is_a_409(client, counsellor, urgent_case, vtk):
    referral = actions.create_referral(actor=counsellor, case=urgent_case, institution=vtk)
    url = reverse("referrals:edit", kwargs={"pk": referral.pk})
    fields = {"kind": "information", "reason": "Ново", "delivery_method": "paper", "packet_language": "en"}
    response = login(client, counsellor).post(url, {**fields, "version": referral.version})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.kind, referral.delivery_method, referral.packet_language) == (
        "information",
        "paper",
        "en",
    )

    response = client.post(url, {**fields, "reason": "Старо читање", "version": referral.version - 1})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    assert "Старо читање" in response.content.decode()


def test_submit_then_supervisor_approves_from_the_dashboard(client, counsellor, supervisor, urgent_case, vtk):
    referral = actions.create_referral(actor=counsellor, case=urgent_case, institution=vtk)
    login(client, counsellor)
    assert post_transition(client, referral, "send").status_code == 403  # approval is on
    response = post_transition(client, referral, "submit")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.PENDING_APPROVAL

    login(client, supervisor)
    dashboard = client.get(reverse("home")).content.decode()
    assert "Referrals awaiting approval" in dashboard and urgent_case.reference in dashboard
    assert reverse("referrals:transition", kwargs={"pk": referral.pk}) in dashboard
    response = post_transition(client, referral, "approve", next=reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    referral.refresh_from_db()
    assert referral.state == S.SENT and referral.approved_by == supervisor
    assert referral.delivery_status == DeliveryStatus.DELIVERED  # the portal
    # A redirect elsewhere is never followed.
    other = actions.create_referral(
        actor=counsellor, case=urgent_case, institution=Institution.objects.get(code="rs-csr-nis")
    )
    actions.transition_referral(actor=counsellor, referral=other, action="submit")
    response = post_transition(client, other, "approve", next="https://evil.example/")
    assert response["Location"] == detail(other)


def test_counsellor_dashboard_has_no_supervisor_items(client, counsellor):
    body = login(client, counsellor).get(reverse("home")).content.decode()
    assert "Referrals awaiting approval" not in body


def test_dashboard_lists_overdue_referrals(client, counsellor, supervisor, urgent_case, vtk, make_referral):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    Referral.objects.filter(pk=referral.pk).update(acknowledge_due_at=referral.sent_at.replace(year=2020))
    body = login(client, supervisor).get(reverse("home")).content.decode()
    assert "Overdue referrals" in body and detail(referral) in body


def test_illegal_transition_is_a_409_listing_what_is_possible(
    client, counsellor, urgent_case, vtk, make_referral
):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    response = post_transition(login(client, counsellor), referral, "submit")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Possible now:" in body and "Acknowledge receipt" in body and "Revoke" in body
    assert AuditEvent.objects.filter(action="write.refused", details__reason="illegal_transition").exists()


def test_stale_transition_is_a_409(client, counsellor, urgent_case, vtk):
    referral = actions.create_referral(actor=counsellor, case=urgent_case, institution=vtk)
    response = login(client, counsellor).post(
        reverse("referrals:transition", kwargs={"pk": referral.pk}),
        {"action": "submit", "version": referral.version + 5},
    )
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


def test_revoke_needs_a_reason_beside_the_field(client, counsellor, urgent_case, vtk):
    referral = actions.create_referral(actor=counsellor, case=urgent_case, institution=vtk)
    response = post_transition(login(client, counsellor), referral, "revoke", reason="  ")
    assert response.status_code == 400
    assert "Give the reason." in response.content.decode()
    response = post_transition(client, referral, "revoke", reason="Погрешна институција")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.REVOKED and referral.revoke_reason == "Погрешна институција"


def test_bad_form_input_is_a_400_not_a_500(client, counsellor, urgent_case, vtk):
    referral = actions.create_referral(actor=counsellor, case=urgent_case, institution=vtk)
    url = reverse("referrals:transition", kwargs={"pk": referral.pk})
    login(client, counsellor)
    for data in (
        {},
        {"action": "fly", "version": 1},
        {"action": "submit", "version": "x"},
        {"action": "submit"},
    ):
        assert client.post(url, data).status_code == 400
    assert client.get(url).status_code == 405
    assert client.get("/referrals/99999999999999999999/").status_code == 404
    assert (
        client.post(reverse("referrals:edit", kwargs={"pk": referral.pk}), {"kind": "x"}).status_code == 400
    )


# --- recording the institution's answer, deliveries and messages ----------------------------------


def test_counsellor_records_the_institutions_answers_on_its_behalf(
    client, counsellor, supervisor, urgent_case, make_referral
):
    school = Institution.objects.get(code="rs-su-nis")
    referral = make_referral(counsellor, school, case=urgent_case, state=S.SENT)
    login(client, counsellor)
    body = client.get(detail(referral)).content.decode()
    assert "Record the institution's answer" in body and "Record delivery by phone or paper" in body

    response = post_transition(client, referral, "acknowledge", institution_reference="ШУ-12")
    assert response.status_code == 302
    event = ReferralEvent.objects.filter(referral=referral, action="acknowledge").get()
    assert event.on_behalf and event.actor == counsellor
    response = post_transition(client, referral, "accept")
    response = post_transition(client, referral, "complete", feedback="   ")
    assert response.status_code == 400
    assert "Write the institution&#x27;s feedback" in response.content.decode()
    response = post_transition(client, referral, "complete", feedback="Разговор са родитељима обављен.")
    referral.refresh_from_db()
    assert referral.state == S.COMPLETED and referral.institution_reference == "ШУ-12"
    history = client.get(detail(referral)).content.decode()
    assert "on the institution's behalf" in history and "Разговор са родитељима обављен." in history
    assert "Sent → Acknowledged" in history


def test_record_delivery_by_phone(client, counsellor, urgent_case, make_referral):
    school = Institution.objects.get(code="rs-su-nis")
    referral = make_referral(counsellor, school, case=urgent_case, state=S.SENT)
    assert referral.delivery_status == DeliveryStatus.NOT_SENT
    url = reverse("referrals:delivery", kwargs={"pk": referral.pk})
    login(client, counsellor)
    assert client.post(url, {"method": "fax", "version": referral.version}).status_code == 400
    response = client.post(
        url, {"method": "phone", "note": "Разговарала са дежурним", "version": referral.version}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.DELIVERED and referral.delivery_method == "phone"


def test_messages_from_the_centre_and_recorded_from_the_institution(
    client, counsellor, urgent_case, vtk, make_referral
):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    url = reverse("referrals:message", kwargs={"pk": referral.pk})
    login(client, counsellor)
    assert client.post(url, {"body": "   "}).status_code == 400
    assert client.post(url, {"body": "Да ли вам треба још нешто?"}).status_code == 302
    assert client.post(url, {"body": "Треба нам број телефона.", "on_behalf": "on"}).status_code == 302
    messages = list(referral.messages.order_by("pk"))
    assert [m.from_institution for m in messages] == [False, True]
    body = client.get(detail(referral)).content.decode()
    assert "Да ли вам треба још нешто?" in body and "The institution (" in body


# --- roles ------------------------------------------------------------------------------------------


def test_auditor_reads_everything_and_changes_nothing(
    client, counsellor, auditor, urgent_case, vtk, make_referral
):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    login(client, auditor)
    assert client.get(reverse("referrals:list")).status_code == 200
    body = client.get(detail(referral)).content.decode()
    assert "Next steps" not in body and 'name="body"' not in body
    assert client.get(reverse("referrals:packet_pdf", kwargs={"pk": referral.pk})).status_code == 200
    assert post_transition(client, referral, "revoke", reason="x").status_code == 403
    assert (
        client.post(reverse("referrals:message", kwargs={"pk": referral.pk}), {"body": "x"}).status_code
        == 403
    )
    assert (
        client.get(reverse("referrals:refer", kwargs={"reference": urgent_case.reference})).status_code == 403
    )
    assert "Refer<" not in client.get(case_url(urgent_case)).content.decode()
    referral.refresh_from_db()
    assert referral.state == S.SENT


@pytest.mark.parametrize("role", ["analyst", "prevention", "admin"])
def test_roles_without_casework_see_no_referral(client, role, counsellor, urgent_case, vtk, make_referral):
    referral = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    login(client, testing.make_user(role))
    assert client.get(reverse("referrals:list")).status_code == 403
    assert client.get(reverse("referrals:portal")).status_code == 403
    for name in ("referrals:detail", "referrals:packet_pdf", "referrals:portal_detail"):
        assert client.get(reverse(name, kwargs={"pk": referral.pk})).status_code in (403, 404)
    assert client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).status_code == 404
    assert post_transition(client, referral, "revoke", reason="x").status_code == 404
    assert client.get(
        reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    ).status_code in (403, 404)


def test_liaison_on_staff_pages_goes_to_the_portal_for_their_own_only(
    client, counsellor, urgent_case, vtk, school, make_referral
):
    liaison = testing.make_user("liaison", institution=vtk)
    own = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    other = make_referral(counsellor, school, case=urgent_case, state=S.SENT)
    login(client, liaison)
    assert client.get(reverse("referrals:list"))["Location"] == reverse("referrals:portal")
    response = client.get(detail(own))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:portal_detail", kwargs={"pk": own.pk})
    assert client.get(detail(other)).status_code == 404
    assert post_transition(client, other, "acknowledge").status_code == 404
    assert post_transition(client, own, "revoke", reason="x").status_code == 403
    assert client.get(
        reverse("referrals:refer", kwargs={"reference": urgent_case.reference})
    ).status_code in (
        403,
        404,
    )


def test_nav_points_staff_to_referrals_and_liaisons_to_the_portal(client, counsellor, vtk):
    body = login(client, counsellor).get(reverse("home")).content.decode()
    assert f'href="{reverse("referrals:list")}"' in body
    liaison = testing.make_user("liaison", institution=vtk)
    body = login(client, liaison).get(reverse("home")).content.decode()
    assert f'href="{reverse("referrals:portal")}"' in body
    assert f'href="{reverse("referrals:list")}"' not in body


def test_staff_list_filters(client, counsellor, urgent_case, vtk, make_referral):
    sent = make_referral(counsellor, vtk, case=urgent_case, state=S.SENT)
    draft = make_referral(counsellor, Institution.objects.get(code="rs-csr-nis"), case=urgent_case)
    login(client, counsellor)
    body = client.get(reverse("referrals:list"), {"state": "sent"}).content.decode()
    assert detail(sent) in body and detail(draft) not in body
    body = client.get(reverse("referrals:list"), {"institution": "rs-csr-nis"}).content.decode()
    assert detail(draft) in body and detail(sent) not in body
    assert client.get(reverse("referrals:list"), {"state": "bogus"}).status_code == 400


# --- query counts: lists do not grow with their rows -------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _panel_queries(user, case) -> int:
    """The case page's referrals panel alone (the rest of the case page is the cases app's)."""
    from django.db import connection
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load referral_tags %}{% referrals_panel case=case %}")
    with CaptureQueriesContext(connection) as captured:
        html = template.render(Context({"request": request, "case": case}))
    assert 'id="referrals"' in html
    return len(captured)


def test_list_pages_and_panels_do_not_query_per_referral(
    client, counsellor, supervisor, urgent_case, vtk, make_referral
):
    liaison = testing.make_user("liaison", institution=vtk)
    others = ["rs-csr-nis", "rs-su-nis", "rs-health-child-psychiatry", "rs-prosecutor-vtk"]

    def counts():
        result = {"panel": _panel_queries(counsellor, urgent_case)}
        for user, url in (
            (supervisor, reverse("referrals:list")),
            (supervisor, reverse("home")),
            (liaison, reverse("referrals:portal")),
        ):
            login(client, user)
            result[url] = _queries(client, url)
        return result

    make_referral(counsellor, vtk, case=urgent_case, state=S.ACKNOWLEDGED)
    overdue = make_referral(counsellor, vtk, state=S.SENT)
    Referral.objects.filter(pk=overdue.pk).update(acknowledge_due_at=overdue.sent_at.replace(year=2020))
    before = counts()
    for index, code in enumerate(others):
        institution = Institution.objects.get(code=code)
        make_referral(
            counsellor, institution, case=urgent_case, state=[S.SENT, S.PENDING_APPROVAL][index % 2]
        )
        more = make_referral(counsellor, vtk, state=S.SENT)  # more rows on the police's portal too
        Referral.objects.filter(pk=more.pk).update(acknowledge_due_at=more.sent_at.replace(year=2020))
    assert counts() == before
