import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import CaseKind, CaseShare, CaseState, TimelineEntry
from smartsafe.cases.queries import cases_visible_to
from smartsafe.core.concurrency import StaleVersion
from smartsafe.referrals import actions
from smartsafe.referrals.models import DeliveryMethod, DeliveryStatus, Referral, ReferralMessage
from smartsafe.referrals.models import ReferralState as S
from smartsafe.referrals.states import IllegalReferralTransition


def _audit(code):
    return AuditEvent.objects.filter(action=code)


def test_create_draft_with_defaults_from_the_directory(counsellor, police):
    police.email = "vtk@mup.example"
    police.packet_language = "sr-Latn"
    police.save()
    case = testing.make_case(counsellor)
    referral = actions.create_referral(actor=counsellor, case=case, institution=police, reason="Предатор")
    assert referral.state == S.DRAFT
    assert referral.delivery_method == DeliveryMethod.EMAIL
    assert referral.packet_language == "sr-latn"
    assert referral.created_by == counsellor
    assert referral.events.get().action == "create"
    entry = case.timeline.get(kind="referral_create")
    assert entry.data["institution"] == police.code and entry.data["referral"] == referral.pk
    assert _audit("referral.create").filter(object_id=str(referral.pk)).exists()


def test_portal_institution_defaults_to_the_portal_and_email_needs_an_address(counsellor, police, school):
    police.uses_portal = True
    police.save()
    case = testing.make_case(counsellor)
    assert (
        actions.create_referral(actor=counsellor, case=case, institution=police).delivery_method == "portal"
    )
    with pytest.raises(ValidationError) as err:
        actions.create_referral(actor=counsellor, case=case, institution=school, delivery_method="email")
    assert "delivery_method" in err.value.message_dict
    assert actions.create_referral(actor=counsellor, case=case, institution=school).delivery_method == "paper"


def test_one_live_referral_per_case_and_institution(counsellor, supervisor, police):
    case = testing.make_case(counsellor)
    first = actions.create_referral(actor=counsellor, case=case, institution=police)
    with pytest.raises(ValidationError) as err:
        actions.create_referral(actor=counsellor, case=case, institution=police)
    assert "already has a referral" in err.value.message_dict["institution"][0]
    actions.transition_referral(
        actor=counsellor, referral=first, action="revoke", reason="Погрешна институција"
    )
    again = actions.create_referral(actor=counsellor, case=case, institution=police)
    assert again.pk != first.pk


def test_closed_case_and_roles_without_casework_cannot_refer(
    counsellor, supervisor, auditor, police_liaison, police
):
    case = testing.make_case(counsellor)
    for role_user in (auditor, police_liaison):
        with pytest.raises(PermissionDenied):
            actions.create_referral(actor=role_user, case=case, institution=police)
    case = case_actions.transition_case(
        actor=supervisor, case=case, action="close", resolution="advice_given"
    )
    with pytest.raises(ValidationError) as err:
        actions.create_referral(actor=counsellor, case=case, institution=police)
    assert "case" in err.value.message_dict


def test_counsellor_must_submit_when_approval_is_on(counsellor, police, settings):
    settings.SMARTSAFE_REFERRAL_NEEDS_APPROVAL = True
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=police
    )
    with pytest.raises(PermissionDenied, match="submit it for approval"):
        actions.transition_referral(actor=counsellor, referral=referral, action="send")
    referral.refresh_from_db()
    assert referral.state == S.DRAFT
    referral = actions.transition_referral(actor=counsellor, referral=referral, action="submit")
    assert referral.state == S.PENDING_APPROVAL and referral.submitted_at


def test_counsellor_sends_directly_when_approval_is_off(counsellor, police, settings):
    settings.SMARTSAFE_REFERRAL_NEEDS_APPROVAL = False
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=police
    )
    referral = actions.transition_referral(actor=counsellor, referral=referral, action="send")
    assert referral.state == S.SENT and referral.approved_by is None


def test_approval_sends_and_freezes_the_packet(counsellor, supervisor, police, police_liaison):
    case = testing.make_case(counsellor)
    referral = actions.create_referral(actor=counsellor, case=case, institution=police)
    referral = actions.transition_referral(actor=counsellor, referral=referral, action="submit")
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="approve")
    referral.refresh_from_db()
    assert referral.state == S.SENT and referral.approved_by == supervisor and referral.sent_at
    assert referral.packet["case"]["reference"] == case.reference
    assert referral.packet_sha256 == actions.packet_digest(referral.packet)
    assert len(referral.packet_sha256) == 64
    assert (
        referral.acknowledge_due_at > referral.sent_at
        and referral.respond_due_at > referral.acknowledge_due_at
    )
    # The case is now shared with the police, marked referred and waiting for the institution.
    case.refresh_from_db()
    assert case.kind == CaseKind.REFERRED and case.state == CaseState.AWAITING_INSTITUTION
    assert CaseShare.objects.filter(case=case, institution=police).exists()
    assert list(cases_visible_to(police_liaison)) == [case]
    assert case.timeline.filter(kind="referral_approve", data__institution=police.code).exists()
    assert _audit("referral.approve").get().details["packet_sha256"] == referral.packet_sha256


def test_sending_leaves_a_state_that_cannot_wait_for_an_institution(counsellor, supervisor, police, school):
    case = testing.make_case(counsellor)
    case = case_actions.transition_case(actor=counsellor, case=case, action="start")
    case = case_actions.transition_case(actor=counsellor, case=case, action="await_institution")
    first = actions.create_referral(actor=counsellor, case=case, institution=police)
    actions.transition_referral(actor=supervisor, referral=first, action="send")
    second = actions.create_referral(actor=counsellor, case=case, institution=school)
    actions.transition_referral(
        actor=supervisor, referral=second, action="send"
    )  # already awaiting: no error
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_INSTITUTION


def test_institution_actions_by_the_liaison(counsellor, make_referral, police, police_liaison):
    counsellor.email = "owner@centre.example"
    counsellor.save()
    referral = make_referral(counsellor, police, state=S.SENT)
    referral = actions.transition_referral(
        actor=police_liaison, referral=referral, action="acknowledge", institution_reference="KU-123/26"
    )
    assert referral.state == S.ACKNOWLEDGED and referral.institution_reference == "KU-123/26"
    referral = actions.transition_referral(actor=police_liaison, referral=referral, action="accept")
    with pytest.raises(ValidationError) as err:
        actions.transition_referral(actor=police_liaison, referral=referral, action="complete")
    assert "feedback" in err.value.message_dict
    referral = actions.transition_referral(
        actor=police_liaison, referral=referral, action="complete", feedback="Осумњичени идентификован."
    )
    assert referral.state == S.COMPLETED and referral.feedback == "Осумњичени идентификован."
    events = list(referral.events.values_list("action", "from_state", "to_state", "on_behalf"))
    assert events[-3:] == [
        ("acknowledge", "sent", "acknowledged", False),
        ("accept", "acknowledged", "accepted", False),
        ("complete", "accepted", "completed", False),
    ]
    kinds = set(referral.case.timeline.values_list("kind", flat=True))
    assert {"referral_acknowledge", "referral_accept", "referral_complete"} <= kinds


def test_every_institution_answer_notifies_the_owner(
    counsellor, make_referral, police, police_liaison, django_capture_on_commit_callbacks
):
    counsellor.email = "owner@centre.example"
    counsellor.save()
    referral = make_referral(counsellor, police, state=S.SENT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition_referral(actor=police_liaison, referral=referral, action="acknowledge")
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(actor=police_liaison, referral=referral, body="Која је адреса детета?")
    assert [m.to for m in mail.outbox] == [["owner@centre.example"], ["owner@centre.example"]]
    assert referral.case.reference in mail.outbox[0].subject
    assert "адреса" not in mail.outbox[1].body  # the content stays in the platform


def test_no_mail_before_commit_or_to_an_owner_without_address(
    counsellor, make_referral, police, police_liaison, django_capture_on_commit_callbacks
):
    referral = make_referral(counsellor, police, state=S.SENT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition_referral(actor=police_liaison, referral=referral, action="acknowledge")
    assert mail.outbox == []


def test_staff_record_institution_answers_only_on_its_behalf(counsellor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    with pytest.raises(PermissionDenied, match="on the institution's behalf|institution's behalf"):
        actions.transition_referral(actor=counsellor, referral=referral, action="acknowledge")
    referral = actions.transition_referral(
        actor=counsellor, referral=referral, action="reject", reason="Није наша надлежност", on_behalf=True
    )
    assert referral.state == S.REJECTED and referral.rejection_reason == "Није наша надлежност"
    event = referral.events.last()
    assert event.on_behalf and event.actor == counsellor
    assert referral.case.timeline.get(kind="referral_reject").data["on_behalf"] is True


def test_another_institution_cannot_answer(counsellor, make_referral, police, school_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    with pytest.raises(PermissionDenied):
        actions.transition_referral(
            actor=school_liaison, referral=referral, action="acknowledge", on_behalf=True
        )


def test_reject_and_revoke_need_a_reason(counsellor, make_referral, police, police_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    for actor, action in ((police_liaison, "reject"), (counsellor, "revoke")):
        with pytest.raises(ValidationError) as err:
            actions.transition_referral(actor=actor, referral=referral, action=action, reason="  ")
        assert "reason" in err.value.message_dict
    referral.refresh_from_db()
    assert referral.state == S.SENT


def test_revoke_removes_the_share(counsellor, make_referral, police, police_liaison):
    referral = make_referral(counsellor, police, state=S.ACKNOWLEDGED)
    assert cases_visible_to(police_liaison).exists()
    actions.transition_referral(actor=counsellor, referral=referral, action="revoke", reason="Грешка")
    assert not cases_visible_to(police_liaison).exists()
    assert referral.case.timeline.filter(kind="unshared").exists()


def test_illegal_transition_lists_what_is_allowed(counsellor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    with pytest.raises(IllegalReferralTransition) as err:
        actions.transition_referral(actor=counsellor, referral=referral, action="submit")
    assert err.value.allowed == ["acknowledge", "accept", "reject", "revoke"]


def test_stale_version_is_refused(counsellor, make_referral, police, police_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    version = referral.version
    actions.post_message(actor=counsellor, referral=referral, body="Питање")  # messages do not bump it
    actions.transition_referral(
        actor=police_liaison, referral=referral, action="acknowledge", expected_version=version
    )
    with pytest.raises(StaleVersion):
        actions.transition_referral(
            actor=counsellor, referral=referral, action="revoke", reason="x", expected_version=version
        )


def test_update_draft(counsellor, police, school):
    school.email = "su@example.org"
    school.save()
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=school
    )
    referral = actions.update_draft(
        actor=counsellor,
        referral=referral,
        expected_version=referral.version,
        reason="Школа",
        kind="support",
        delivery_method="email",
    )
    assert (referral.reason, referral.kind, referral.delivery_method) == ("Школа", "support", "email")
    with pytest.raises(ValidationError):
        actions.update_draft(
            actor=counsellor, referral=referral, expected_version=referral.version, state="sent"
        )
    with pytest.raises(StaleVersion):
        actions.update_draft(actor=counsellor, referral=referral, expected_version=1, reason="x")


def test_messages_both_ways(counsellor, make_referral, police, police_liaison, school_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    question = actions.post_message(actor=police_liaison, referral=referral, body="  Број телефона?  ")
    answer = actions.post_message(actor=counsellor, referral=referral, body="064 123 456")
    recorded = actions.post_message(actor=counsellor, referral=referral, body="Звали су", on_behalf=True)
    assert (question.body, question.from_institution) == ("Број телефона?", True)
    assert answer.from_institution is False and recorded.from_institution is True
    with pytest.raises(PermissionDenied):
        actions.post_message(actor=school_liaison, referral=referral, body="?")
    with pytest.raises(ValidationError):
        actions.post_message(actor=counsellor, referral=referral, body="\x00  ")
    assert ReferralMessage.objects.filter(referral=referral).count() == 3
    assert referral.case.timeline.filter(kind="referral_message").count() == 3


def test_no_messages_on_a_draft(counsellor, police):
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=police
    )
    with pytest.raises(ValidationError):
        actions.post_message(actor=counsellor, referral=referral, body="?")


def test_manual_delivery(counsellor, make_referral, police):
    draft = make_referral(counsellor, police)
    with pytest.raises(ValidationError):
        actions.record_manual_delivery(actor=counsellor, referral=draft, method="phone")
    referral = make_referral(counsellor, police, state=S.SENT)
    with pytest.raises(ValidationError):
        actions.record_manual_delivery(actor=counsellor, referral=referral, method="email")
    referral = actions.record_manual_delivery(
        actor=counsellor, referral=referral, method="phone", note="Дежурни"
    )
    assert referral.delivery_status == DeliveryStatus.DELIVERED and referral.delivered_at
    assert referral.events.last().action == "manual_delivery"
    assert _audit("referral.manual_delivery").exists()


def test_a_refused_action_leaves_no_trace(counsellor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    before = (TimelineEntry.objects.count(), AuditEvent.objects.count(), referral.events.count())
    with pytest.raises(IllegalReferralTransition):
        actions.transition_referral(actor=counsellor, referral=referral, action="submit")
    with pytest.raises(PermissionDenied):
        actions.transition_referral(actor=counsellor, referral=referral, action="approve")
    with pytest.raises(ValidationError):
        actions.transition_referral(actor=counsellor, referral=referral, action="revoke")
    assert (TimelineEntry.objects.count(), AuditEvent.objects.count(), referral.events.count()) == before
    assert Referral.objects.get(pk=referral.pk).state == S.SENT


@pytest.mark.django_db(transaction=True)
def test_two_people_answer_at_once_one_wins(counsellor, supervisor, police, police_liaison):
    """The liaison acknowledges in the portal while a counsellor records a phone rejection."""
    case = testing.make_case(counsellor)
    referral = actions.create_referral(actor=counsellor, case=case, institution=police)
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    outcomes = []

    def act(actor, action, **kwargs):
        try:
            actions.transition_referral(actor=actor, referral=referral, action=action, **kwargs)
            outcomes.append("ok")
        except IllegalReferralTransition:
            outcomes.append("illegal")
        except Exception as exc:  # surfaced in the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(police_liaison, "accept")),
        threading.Thread(
            target=act, args=(counsellor, "reject"), kwargs={"reason": "тел.", "on_behalf": True}
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["illegal", "ok"]
    assert Referral.objects.get(pk=referral.pk).events.filter(action__in=["accept", "reject"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_with_the_same_version_one_is_told(counsellor, supervisor, police, police_liaison):
    case = testing.make_case(counsellor)
    referral = actions.create_referral(actor=counsellor, case=case, institution=police)
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    version = referral.version
    outcomes = []

    def act(actor, action, **kwargs):
        try:
            actions.transition_referral(
                actor=actor, referral=referral, action=action, expected_version=version, **kwargs
            )
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")
        except Exception as exc:  # surfaced in the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(police_liaison, "acknowledge")),
        threading.Thread(target=act, args=(supervisor, "revoke"), kwargs={"reason": "Повучено"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "stale"]
