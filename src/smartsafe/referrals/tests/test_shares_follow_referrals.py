"""A case is visible to an institution only through a referral to it, or a supervisor's explicit,
audited share; a rejection ends the share unless another referral to that institution stands
(docs/decisions/0006-case-shares-follow-referrals.md)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import CaseShare
from smartsafe.cases.queries import cases_visible_to
from smartsafe.referrals.models import Referral
from smartsafe.referrals.models import ReferralState as S

pytestmark = pytest.mark.django_db


def shared(case, institution) -> bool:
    return CaseShare.objects.filter(case=case, institution=institution).exists()


def test_sending_shares_and_rejection_unshares(make_referral, counsellor, supervisor, police, police_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    assert list(cases_visible_to(police_liaison)) == [referral.case]
    event = AuditEvent.objects.get(action="case.share")
    assert event.details["referral"] == referral.pk
    from smartsafe.referrals.actions import transition_referral

    transition_referral(
        actor=police_liaison, referral=referral, action="reject", reason="Није наша надлежност"
    )
    assert not shared(referral.case, police)
    assert not cases_visible_to(police_liaison).exists()
    assert AuditEvent.objects.filter(action="case.unshare", object_id=str(referral.case.pk)).count() == 1


def test_a_completed_referral_keeps_the_share(make_referral, counsellor, police, police_liaison):
    referral = make_referral(counsellor, police, state=S.COMPLETED, liaison=police_liaison)
    assert shared(referral.case, police)


def test_a_rejection_ends_an_explicit_share_too(
    make_referral, counsellor, supervisor, police, police_liaison
):
    referral = make_referral(counsellor, police, state=S.SENT)
    case_actions.share_with_institution(
        actor=supervisor, case=referral.case, institution=police, reason="Већ познат полицији"
    )
    from smartsafe.referrals.actions import transition_referral

    transition_referral(actor=police_liaison, referral=referral, action="reject", reason="Ван надлежности")
    assert not shared(referral.case, police)
    # The supervisor may share it again, explicitly and audited, if there is a reason to.
    case_actions.share_with_institution(
        actor=supervisor, case=referral.case, institution=police, reason="Нови подаци"
    )
    assert shared(referral.case, police)


def test_drafts_and_approval_share_nothing(make_referral, counsellor, police):
    draft = make_referral(counsellor, police, state=S.DRAFT)
    pending = make_referral(counsellor, police, state=S.PENDING_APPROVAL)
    assert not CaseShare.objects.filter(case__in=[draft.case, pending.case]).exists()


def test_an_explicit_share_needs_a_supervisor_and_a_reason(counsellor, supervisor, police, police_liaison):
    case = testing.make_case(counsellor)
    with pytest.raises(PermissionDenied):
        case_actions.share_with_institution(actor=counsellor, case=case, institution=police, reason="Хитно")
    with pytest.raises(ValidationError):
        case_actions.share_with_institution(actor=supervisor, case=case, institution=police, reason="  ")
    assert not shared(case, police)
    case_actions.share_with_institution(
        actor=supervisor, case=case, institution=police, reason="Полиција је већ на терену"
    )
    assert list(cases_visible_to(police_liaison)) == [case]
    event = AuditEvent.objects.get(action="case.share")
    assert event.actor == supervisor and event.details == {"institution": police.code, "explicit": True}
    assert case.timeline.filter(kind="shared", data__reason="Полиција је већ на терену").exists()


def test_a_referral_cannot_share_another_case(make_referral, counsellor, supervisor, police, school):
    referral = make_referral(counsellor, police, state=S.SENT)
    other = testing.make_case(counsellor)
    with pytest.raises(ValidationError):
        case_actions.share_with_institution(
            actor=supervisor, case=other, institution=police, referral=referral
        )
    with pytest.raises(ValidationError):
        case_actions.share_with_institution(
            actor=supervisor, case=referral.case, institution=school, referral=referral
        )


def test_the_demo_police_see_no_more_cases_than_referrals_to_them(db):
    from smartsafe.demo import profile
    from smartsafe.demo.vocabulary import REFERRAL_CATEGORIES

    for code in profile.CHANNEL_MIX:
        testing.channel(code)
    for code in REFERRAL_CATEGORIES:
        testing.category(code)
    call_command("load_demo", "--contacts", "300", "--seed", "7", stdout=io.StringIO())
    standing = Referral.objects.exclude(state__in=[S.DRAFT, S.PENDING_APPROVAL, S.REJECTED, S.REVOKED])
    for share in CaseShare.objects.select_related("institution"):
        assert standing.filter(case=share.case, institution=share.institution).exists(), share
    police_shares = CaseShare.objects.filter(institution__code="rs-police-vtk")
    assert police_shares.exists()
    assert police_shares.count() <= Referral.objects.filter(institution__code="rs-police-vtk").count()
