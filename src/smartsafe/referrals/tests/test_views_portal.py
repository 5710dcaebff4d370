"""The institution portal: a liaison sees and answers only their own institution's sent referrals.

The isolation matrix is generated: every liaison against every referral (every institution, every
state, sent or never sent), on every portal page and endpoint — 200 where the referral is theirs
and has left the centre, otherwise a 404 that reads exactly like a missing referral.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse

from smartsafe import testing
from smartsafe.cases.models import TimelineEntry
from smartsafe.directory.models import Institution
from smartsafe.referrals import actions
from smartsafe.referrals.models import Referral, ReferralEvent
from smartsafe.referrals.models import ReferralState as S

pytestmark = pytest.mark.django_db

# Referrals a liaison may never see: they have not left the centre.
NEVER_SENT = (S.DRAFT, S.PENDING_APPROVAL)


@pytest.fixture
def vtk(db):
    institution = Institution.objects.get(code="rs-police-vtk")
    institution.uses_portal = True
    institution.save()
    return institution


@pytest.fixture
def vtk_liaison(vtk):
    return testing.make_user("liaison", institution=vtk)


def portal(name, referral):
    return reverse(f"referrals:{name}", kwargs={"pk": referral.pk})


def login(client, user):
    client.force_login(user)
    return client


def answer(client, referral, action, **fields):
    referral.refresh_from_db()
    return client.post(
        portal("portal_transition", referral), {"action": action, "version": referral.version, **fields}
    )


# --- the isolation matrix ---------------------------------------------------------------------------


@pytest.fixture
def world(counsellor, supervisor, vtk, police, school, make_referral):
    """Three institutions, each with a liaison, and referrals to each in every state (the revoked
    one never left the centre) plus one revoked after it was sent."""
    institutions = [vtk, police, school]
    liaisons = {i.pk: testing.make_user("liaison", institution=i) for i in institutions}
    referrals = []
    for institution, state in itertools.product(institutions, list(S)):
        referrals.append(make_referral(counsellor, institution, state=state))
    for institution in institutions:
        sent = make_referral(counsellor, institution, state=S.SENT)
        referrals.append(
            actions.transition_referral(actor=counsellor, referral=sent, action="revoke", reason="Погрешно")
        )
    return liaisons, referrals


def _visible(liaison_institution_id, referral) -> bool:
    return referral.institution_id == liaison_institution_id and referral.sent_at is not None


def test_isolation_matrix_every_liaison_against_every_referral(client, world):
    liaisons, referrals = world
    checked = 0
    for institution_id, liaison in liaisons.items():
        login(client, liaison)
        listing = client.get(reverse("referrals:portal")).content.decode()
        for referral in referrals:
            expected = 200 if _visible(institution_id, referral) else 404
            for name in ("portal_detail", "portal_packet_pdf", "portal_packet_json"):
                response = client.get(portal(name, referral))
                assert response.status_code == expected, (liaison, referral.state, name)
            assert (portal("portal_detail", referral) in listing) == (expected == 200)
            if expected == 404:
                # Writes are refused the same way, and nothing changes.
                before = Referral.objects.get(pk=referral.pk)
                assert answer(client, referral, "acknowledge").status_code == 404
                assert client.post(portal("portal_message", referral), {"body": "?"}).status_code == 404
                after = Referral.objects.get(pk=referral.pk)
                assert (after.state, after.version) == (before.state, before.version)
            checked += 1
    assert checked == len(liaisons) * len(referrals)


def test_a_missing_referral_and_another_institutions_read_the_same(client, world):
    liaisons, referrals = world
    liaison = next(iter(liaisons.values()))
    other = next(
        r
        for r in referrals
        if r.institution_id != liaison.institution_membership.institution_id and r.sent_at
    )
    login(client, liaison)
    paths = [
        portal("portal_detail", other),
        f"/referrals/portal/{Referral.objects.order_by('-pk')[0].pk + 1000}/",
    ]
    theirs, missing = (client.get(path) for path in paths)
    assert theirs.status_code == missing.status_code == 404
    # The same page, byte for byte, but for the per-request CSRF token and the page's own address.
    token = re.compile(rb'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]*"')

    def bare(response, path):
        return token.sub(b"", response.content).replace(path.encode(), b"PATH")

    assert bare(theirs, paths[0]) == bare(missing, paths[1])


# --- the liaison's work --------------------------------------------------------------------------------


def test_liaison_acknowledges_accepts_and_completes_with_feedback(
    client, counsellor, vtk, vtk_liaison, make_referral
):
    case = testing.make_case(
        counsellor, summary="Дечак уцењен на мрежи.", urgent=True, urgent_reason="Сусрет"
    )
    referral = make_referral(counsellor, vtk, case=case, state=S.SENT, delivery_method="portal")
    login(client, vtk_liaison)
    listing = client.get(reverse("referrals:portal"))
    assert listing.status_code == 200 and case.reference in listing.content.decode()
    page = client.get(portal("portal_detail", referral)).content.decode()
    assert "Дечак уцењен на мрежи." in page  # the packet
    assert "Acknowledge receipt" in page and "Reject" in page
    assert counsellor.username not in page and str(counsellor) not in page  # the centre's people stay inside

    assert answer(client, referral, "acknowledge", institution_reference="ВТК-1/26").status_code == 302
    assert answer(client, referral, "accept").status_code == 302
    assert answer(client, referral, "complete", feedback="Осумњичени идентификован.").status_code == 302
    referral.refresh_from_db()
    assert referral.state == S.COMPLETED and referral.feedback == "Осумњичени идентификован."
    assert referral.institution_reference == "ВТК-1/26"
    assert not ReferralEvent.objects.filter(referral=referral, on_behalf=True).exists()
    # The feedback lands on the case timeline for the counsellor.
    entry = TimelineEntry.objects.get(case=case, kind="referral_complete")
    assert entry.data["note"] == "Осумњичени идентификован." and entry.actor == vtk_liaison
    login(client, counsellor)
    body = client.get(reverse("cases:detail", kwargs={"reference": case.reference})).content.decode()
    assert "Осумњичени идентификован." in body


def test_liaison_refusals_are_4xx_and_keep_what_was_typed(
    client, counsellor, vtk, vtk_liaison, make_referral
):
    referral = make_referral(counsellor, vtk, state=S.SENT)
    login(client, vtk_liaison)
    response = answer(client, referral, "reject", reason="   ")
    assert response.status_code == 400 and "Give the reason." in response.content.decode()

    response = answer(client, referral, "complete", feedback="Урађено <i>све</i>")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Possible now:" in body and "Acknowledge receipt" in body
    assert "Урађено &lt;i&gt;све&lt;/i&gt;" in body  # not possible now, but not lost either

    response = answer(client, referral, "revoke", reason="не")
    assert response.status_code == 403
    response = client.post(portal("portal_transition", referral), {"action": "acknowledge", "version": 999})
    assert response.status_code == 409 and "Someone else changed this record" in response.content.decode()
    assert (
        client.post(portal("portal_transition", referral), {"action": "nope", "version": 1}).status_code
        == 400
    )
    referral.refresh_from_db()
    assert referral.state == S.SENT


def test_liaison_asks_a_question(client, counsellor, vtk, vtk_liaison, make_referral):
    referral = make_referral(counsellor, vtk, state=S.ACKNOWLEDGED)
    actions.post_message(actor=counsellor, referral=referral, body="Јавите ако треба још података.")
    login(client, vtk_liaison)
    assert client.post(portal("portal_message", referral), {"body": ""}).status_code == 400
    response = client.post(portal("portal_message", referral), {"body": "Који је тачан URL профила?"})
    assert response.status_code == 302
    message = referral.messages.order_by("-pk").first()
    assert message.from_institution and message.author == vtk_liaison
    body = client.get(portal("portal_detail", referral)).content.decode()
    assert "The centre" in body and "Јавите ако треба још података." in body


def test_portal_filters_and_roles(client, counsellor, supervisor, vtk, vtk_liaison, make_referral):
    acknowledged = make_referral(counsellor, vtk, state=S.ACKNOWLEDGED)
    sent = make_referral(counsellor, vtk, state=S.SENT)
    Referral.objects.filter(pk=sent.pk).update(acknowledge_due_at=sent.sent_at.replace(year=2020))
    login(client, vtk_liaison)
    body = client.get(reverse("referrals:portal"), {"state": "acknowledged"}).content.decode()
    assert portal("portal_detail", acknowledged) in body and portal("portal_detail", sent) not in body
    body = client.get(reverse("referrals:portal"), {"overdue": "on"}).content.decode()
    assert portal("portal_detail", sent) in body and portal("portal_detail", acknowledged) not in body
    assert "badge-overdue" in body
    assert client.get(reverse("referrals:portal"), {"state": "draft"}).status_code == 400
    # The portal is the liaisons'; the centre's staff have their own pages.
    for user in (counsellor, supervisor):
        login(client, user)
        assert client.get(reverse("referrals:portal")).status_code == 403
        assert client.get(portal("portal_detail", sent)).status_code == 403
    # A liaison account not attached to any institution sees nothing.
    login(client, testing.make_user("liaison"))
    assert client.get(reverse("referrals:portal")).status_code == 403


# --- escaping ------------------------------------------------------------------------------------------


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_packet_text_is_escaped_on_staff_and_portal_pages(client, counsellor, supervisor, vtk, vtk_liaison):
    case = testing.make_case(counsellor, title=f"Наслов {XSS}", summary=f"Опис {XSS}")
    from smartsafe.cases import actions as case_actions

    case_actions.add_artefact(actor=counsellor, case=case, kind="username", value='ana"><svg>', platform=None)
    referral = actions.create_referral(actor=counsellor, case=case, institution=vtk, reason=f"Разлог {XSS}")
    pages = []
    login(client, counsellor)
    pages.append(client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode())
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    actions.post_message(actor=counsellor, referral=referral, body=f"Порука {XSS}")
    pages.append(client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode())
    pages.append(client.get(reverse("cases:detail", kwargs={"reference": case.reference})).content.decode())
    login(client, vtk_liaison)
    pages.append(client.get(portal("portal_detail", referral)).content.decode())
    pages.append(client.get(reverse("referrals:portal")).content.decode())
    for body in pages:
        assert "<script>alert" not in body and "<img src=x" not in body and "<svg>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[0]
    assert "Опис &lt;script&gt;" in pages[3] and "Порука &lt;script&gt;" in pages[3]
    assert "ana&quot;&gt;&lt;svg&gt;" in pages[3]  # the packet's "who"
