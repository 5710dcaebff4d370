"""Subject access and erasure: a person is found by what they can prove is theirs (through the keyed
hashes intake stored), their dossier holds their own records and nobody else's, the identity is
never kept, and an erasure empties what it may, keeps what a legal hold or a standing referral
needs, records why, and leaves every statistic as it was."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from smartsafe import testing
from smartsafe.audit import codes
from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions as case_actions
from smartsafe.evidence import actions as evidence_actions
from smartsafe.evidence.models import EvidenceFile
from smartsafe.inbox import conversation, threading
from smartsafe.inbox.models import Call
from smartsafe.inbox.telephony import caller_identity
from smartsafe.intake.models import Contact
from smartsafe.portal.models import PublicReport
from smartsafe.privacy import actions, subject_access
from smartsafe.privacy.models import RequestState, SubjectRequest
from smartsafe.referrals import actions as referral_actions
from smartsafe.referrals.models import Referral
from smartsafe.stats import queries as stats
from smartsafe.stats import rollups

pytestmark = pytest.mark.django_db

EMAIL = "Milica.Petrovic@example.rs"
PHONE = "+381 64 111 2233"
VIBER = "vIb3r-Us3r=="
STORY = "Милица пише: неко ми прети да ће објавити слике"
OTHER = "Someone else's story, never in Milica's dossier"


def _png() -> bytes:
    from smartsafe.evidence.tests.samples import png

    return png(5)


@pytest.fixture
def person(counsellor):
    """Milica's five contacts, by e-mail, phone, Viber and the web form, and one of somebody else
    in the same case."""
    typed = testing.make_contact(
        counsellor, summary=STORY, reporter_contact=EMAIL.lower(), reporter_name="Милица"
    )
    mailed = testing.make_contact(counsellor, channel=testing.channel("email"), summary="mail " + STORY)
    Contact.objects.filter(pk=mailed.pk).update(sender_hash=threading.sender_hash(EMAIL))
    called = testing.make_contact(counsellor, summary="call " + STORY)
    Call.objects.create(
        call_id="call-1",
        caller_hash=caller_identity("0641112233")[0],
        started_at=timezone.now(),
        contact=called,
    )
    viber = testing.make_contact(counsellor, summary="viber " + STORY)
    Contact.objects.filter(pk=viber.pk).update(sender_hash=conversation.sender_hash("viber", VIBER))
    reported = testing.make_contact(counsellor, summary="web " + STORY, reporter_contact="064/111-22-33")
    PublicReport.objects.create(reference="PB7K2M9Q", secret_hash="0" * 64, contact=reported)
    stranger = testing.make_contact(counsellor, summary=OTHER, reporter_contact="someone@example.org")
    case = testing.make_case(counsellor, contacts=[typed, stranger], title="Претње", summary=STORY)
    case_actions.add_note(actor=counsellor, case=case, body="Internal note naming a third person")
    file = evidence_actions.receive_file(
        data=_png(), filename="screenshot.png", contact=typed, via="staff", actor=counsellor
    )
    return {
        "typed": typed,
        "mailed": mailed,
        "called": called,
        "viber": viber,
        "reported": reported,
        "stranger": stranger,
        "case": case,
        "file": file,
    }


def found(kind, value, messenger_kind=""):
    return subject_access.matching_contacts(subject_access.parse_identity(kind, value, messenger_kind))


def test_found_by_email_through_the_keyed_hash_and_what_they_typed(person):
    ids = found("email", EMAIL)
    assert ids == sorted([person["typed"].pk, person["mailed"].pk])


def test_found_by_phone_in_any_spelling_through_calls_and_forms(person):
    for spelling in (PHONE, "0641112233", "00381641112233"):
        assert found("phone", spelling) == sorted([person["called"].pk, person["reported"].pk])


def test_found_by_messenger_identity_and_by_report_reference(person):
    assert found("messenger", VIBER, "viber") == [person["viber"].pk]
    assert found("messenger", VIBER, "telegram") == []  # the same id on another messenger is not them
    assert found("report", "pb7k2m9q") == [person["reported"].pk]


@pytest.mark.parametrize(
    ("kind", "value", "messenger_kind", "field"),
    [
        ("email", "not an address", "", "value"),
        ("phone", "12", "", "value"),
        ("messenger", "abc", "", "messenger"),
        ("email", "", "", "value"),
        ("nonsense", "x", "", "kind"),
    ],
)
def test_bad_identities_are_refused_on_their_field(kind, value, messenger_kind, field):
    with pytest.raises(ValidationError) as caught:
        subject_access.parse_identity(kind, value, messenger_kind)
    assert field in caught.value.message_dict


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["email", "phone", "messenger", "report", "", "x"]),
    value=st.text(max_size=400),
    messenger_kind=st.sampled_from(["", "viber", "whatsapp", "sms"]),
)
def test_parsing_any_text_gives_an_identity_or_a_validation_error(kind, value, messenger_kind):
    try:
        identity = subject_access.parse_identity(kind, value, messenger_kind)
    except ValidationError:
        return
    assert identity.kind == kind and identity.value and len(identity.hint) <= 4


def test_the_dossier_holds_their_records_and_nobody_elses(person, auditor):
    identity = subject_access.parse_identity("email", EMAIL)
    request = actions.open_request(actor=auditor, kind="access", identity=identity, note="Letter of 3 Dec")
    data = actions.export_dossier(actor=auditor, request=request, fmt="json")
    text = json.dumps(data, ensure_ascii=False)
    assert STORY in text and "Милица" in text
    assert OTHER not in text and "someone@example.org" not in text
    assert "Internal note naming" not in text
    (case,) = data["cases"]
    assert case["reference"] == person["case"].reference and case["internal_notes"] == 1
    (typed,) = [c for c in data["contacts"] if c["reference"] == str(person["typed"])]
    assert typed["evidence"][0]["sha256"] == person["file"].sha256
    assert {row["records"] for row in data["retention"]}  # how long each kind is kept
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED
    event = AuditEvent.objects.get(action=codes.SUBJECT_ACCESS_EXPORT)
    assert sorted(event.details["contacts"]) == sorted([person["typed"].pk, person["mailed"].pk])


def test_the_identity_itself_is_never_stored(person, auditor):
    identity = subject_access.parse_identity("messenger", VIBER, "viber")
    request = actions.open_request(actor=auditor, kind="access", identity=identity)
    stored = json.dumps(
        list(SubjectRequest.objects.values())
        + list(AuditEvent.objects.filter(action=codes.SUBJECT_REQUEST_OPEN).values("details")),
        default=str,
    )
    assert VIBER not in stored and VIBER.lower() not in stored
    assert request.identity_hint == "…r=="


def test_the_pdf_is_readable_in_cyrillic(person, auditor):
    from smartsafe.privacy import subject_pdf

    request = actions.open_request(
        actor=auditor, kind="access", identity=subject_access.parse_identity("email", EMAIL)
    )
    data = actions.export_dossier(actor=auditor, request=request, fmt="pdf")
    pdf = PdfReader(io.BytesIO(subject_pdf.render(data, centre="Паметно и безбедно")))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Паметно и безбедно" in text and "неко ми прети" in text
    assert person["file"].sha256[:16] in text.replace("\n", "")


def test_only_the_data_protection_officer_opens_requests(person, counsellor, supervisor, administrator):
    identity = subject_access.parse_identity("email", EMAIL)
    for user in (counsellor, supervisor, administrator):
        with pytest.raises(PermissionDenied):
            actions.open_request(actor=user, kind="access", identity=identity)


def test_the_pages(client, person, auditor, counsellor):
    client.force_login(counsellor)
    assert client.get(reverse("privacy:requests")).status_code == 403
    client.force_login(auditor)
    page = client.get(reverse("privacy:requests"))
    assert page.status_code == 200
    # A bad address is refused beside its field and what was typed stays in the form.
    bad = client.post(
        reverse("privacy:open_request"),
        {"kind": "access", "identity_kind": "email", "value": "milica at example", "note": "by post"},
    )
    assert bad.status_code == 400
    assert "milica at example" in bad.content.decode() and "by post" in bad.content.decode()
    assert bad.context["form"].errors["value"]
    opened = client.post(
        reverse("privacy:open_request"),
        {"kind": "access", "identity_kind": "phone", "value": PHONE, "note": "by post"},
    )
    request = SubjectRequest.objects.get()
    assert opened.status_code == 302 and opened["Location"] == reverse("privacy:request", args=[request.pk])
    detail = client.get(opened["Location"]).content.decode()
    assert str(person["called"]) in detail and STORY not in detail  # the preview shows no content
    pdf = client.get(reverse("privacy:export", args=[request.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    js = client.get(reverse("privacy:export", args=[request.pk, "json"]))
    assert STORY in json.dumps(js.json(), ensure_ascii=False)
    assert client.get(reverse("privacy:export", args=[request.pk, "xml"])).status_code == 404
    assert AuditEvent.objects.filter(action=codes.SUBJECT_ACCESS_EXPORT).count() == 2


def test_the_command_writes_both_files(person, tmp_path):
    out = io.StringIO()
    call_command("subject_access", "--messenger", f"viber:{VIBER}", "--out", str(tmp_path), stdout=out)
    request = SubjectRequest.objects.get()
    assert request.opened_by is None and "1 contact(s)" in out.getvalue()
    data = json.loads((tmp_path / f"subject-access-{request.pk}.json").read_text(encoding="utf-8"))
    assert [c["reference"] for c in data["contacts"]] == [str(person["viber"])]
    assert (tmp_path / f"subject-access-{request.pk}.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError):
        call_command("subject_access", "--email", "nope", "--out", str(tmp_path))


# --- erasure ------------------------------------------------------------------------------------


def _figures():
    start, end = (
        (timezone.now() - dt.timedelta(days=3)).date(),
        (timezone.now() + dt.timedelta(days=1)).date(),
    )
    rollups.drain()
    return {
        "summary": stats.summary(start, end),
        "by_kind": stats.contacts_by_channel_kind(start, end),
        "workload": stats.workload(start, end),
    }


def _erasure(auditor, kind, value, messenger_kind=""):
    identity = subject_access.parse_identity(kind, value, messenger_kind)
    return actions.open_request(actor=auditor, kind="erasure", identity=identity)


def test_erasure_empties_their_records_and_keeps_the_statistics(person, auditor, counsellor):
    alone = testing.make_case(counsellor, contacts=[person["viber"]], title="Viber", summary=STORY)
    before = _figures()
    request = _erasure(auditor, "messenger", VIBER, "viber")
    request = actions.decide_erasure(actor=auditor, request=request, erase=True, note="")
    assert request.state == RequestState.ERASED
    assert request.outcome["erased"] == {"contacts": 1, "cases": 1, "evidence": 0}
    viber = Contact.objects.get(pk=person["viber"].pk)
    assert viber.summary == "" and viber.sender_hash == ""
    alone.refresh_from_db()
    assert alone.summary == "" and STORY not in alone.title
    assert _figures() == before
    # Their other contacts, not found by this identity, are untouched.
    assert Contact.objects.get(pk=person["typed"].pk).summary == STORY
    event = AuditEvent.objects.get(action=codes.ERASURE_DECIDE)
    assert event.details["decision"] == "erased"


def test_a_case_shared_with_somebody_else_keeps_its_text_but_loses_theirs(person, auditor):
    request = _erasure(auditor, "email", EMAIL)
    request = actions.decide_erasure(actor=auditor, request=request, erase=True)
    assert request.outcome["erased"]["contacts"] == 2
    assert request.outcome["erased"]["cases"] == 0  # the stranger is in it too
    assert request.outcome["erased"]["evidence"] == 1
    typed = Contact.objects.get(pk=person["typed"].pk)
    assert typed.summary == "" and typed.reporter_contact == "" and typed.reporter_name == ""
    assert Contact.objects.get(pk=person["stranger"].pk).summary == OTHER
    assert EvidenceFile.objects.get(pk=person["file"].pk).deleted_at is not None


def test_held_and_referred_cases_are_kept_with_the_reason(person, auditor, supervisor, counsellor, police):
    actions.place_hold(actor=supervisor, case=person["case"], reason="Истрага КТ-12/2026")
    referred = testing.make_case(counsellor, contacts=[person["mailed"]], title="Mail", summary=STORY)
    referral = referral_actions.create_referral(actor=counsellor, case=referred, institution=police)
    Referral.objects.filter(pk=referral.pk).update(state="sent", sent_at=timezone.now())
    request = _erasure(auditor, "email", EMAIL)
    request = actions.decide_erasure(actor=auditor, request=request, erase=True)
    assert request.state == RequestState.REFUSED and request.outcome["erased"]["contacts"] == 0
    reasons = {k["contact"]: k["reason"] for k in request.outcome["kept"]}
    assert reasons == {str(person["typed"]): "legal_hold", str(person["mailed"]): "referred"}
    assert Contact.objects.get(pk=person["typed"].pk).summary == STORY
    assert Contact.objects.get(pk=person["mailed"].pk).summary == "mail " + STORY
    assert EvidenceFile.objects.get(pk=person["file"].pk).deleted_at is None


def test_partly_erased_when_some_is_kept(person, auditor, supervisor):
    actions.place_hold(actor=supervisor, case=person["case"], reason="Истрага КТ-12/2026")
    request = actions.decide_erasure(actor=auditor, request=_erasure(auditor, "email", EMAIL), erase=True)
    assert request.state == RequestState.PARTLY_ERASED
    assert request.outcome["erased"]["contacts"] == 1
    assert [k["reason"] for k in request.outcome["kept"]] == ["legal_hold"]
    assert Contact.objects.get(pk=person["mailed"].pk).summary == ""


def test_a_refusal_needs_a_reason_and_a_request_is_decided_once(person, auditor, counsellor):
    request = _erasure(auditor, "report", "PB7K2M9Q")
    with pytest.raises(ValidationError):
        actions.decide_erasure(actor=auditor, request=request, erase=False, note="  ")
    with pytest.raises(PermissionDenied):
        actions.decide_erasure(actor=counsellor, request=request, erase=True)
    request = actions.decide_erasure(
        actor=auditor, request=request, erase=False, note="Лице није доказало идентитет"
    )
    assert request.state == RequestState.REFUSED
    assert Contact.objects.get(pk=person["reported"].pk).summary == "web " + STORY
    with pytest.raises(ValidationError):
        actions.decide_erasure(actor=auditor, request=request, erase=True)


def test_the_erasure_page(client, person, auditor):
    request = _erasure(auditor, "phone", PHONE)
    client.force_login(auditor)
    page = client.get(reverse("privacy:request", args=[request.pk])).content.decode()
    assert "Record the decision" in page
    refused = client.post(reverse("privacy:decide", args=[request.pk]), {"decision": "refuse", "note": ""})
    assert refused.status_code == 400 and refused.context["decision_form"].errors
    done = client.post(reverse("privacy:decide", args=[request.pk]), {"decision": "erase", "note": ""})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.ERASED and request.outcome["erased"]["contacts"] == 2
    assert Call.objects.get(call_id="call-1").caller_hash == ""
