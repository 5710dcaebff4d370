import datetime as dt
import itertools

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions as case_actions
from smartsafe.referrals import actions, queries
from smartsafe.referrals.models import ReferralState as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(counsellor, supervisor, make_referral, police, school, police_liaison, school_liaison):
    """Three institutions, two liaisons each (one with no referrals at all), referrals in every
    state to each institution."""
    social = testing.make_institution("social-test", "social_work")
    health = testing.make_institution("health-test", "health")  # has liaisons, never receives anything
    liaisons = {
        police: [police_liaison, testing.make_user("liaison", institution=police)],
        school: [school_liaison],
        social: [testing.make_user("liaison", institution=social)],
        health: [testing.make_user("liaison", institution=health)],
    }
    referrals = []
    for institution in (police, school, social):
        for state in S.values:
            referrals.append(make_referral(counsellor, institution, state=state))
    return liaisons, referrals


def test_isolation_matrix_every_liaison_against_every_referral(world, counsellor, auditor):
    liaisons, referrals = world
    for (institution, people), referral in itertools.product(liaisons.items(), referrals):
        for liaison in people:
            # Only what left the centre: a draft revoked before sending never reaches them.
            own = (
                referral.institution_id == institution.pk
                and referral.sent_at is not None
                and referral.state not in (S.DRAFT, S.PENDING_APPROVAL)
            )
            visible = queries.referrals_visible_to(liaison).filter(pk=referral.pk).exists()
            assert visible == own, (liaison.username, referral.institution.code, referral.state)
            if own:
                assert queries.access_referral(liaison, referral.pk) == referral
            else:
                with pytest.raises(Http404):
                    queries.access_referral(liaison, referral.pk)
    for staff in (counsellor, auditor):
        assert queries.referrals_visible_to(staff).count() == len(referrals)


def test_other_roles_see_nothing(world, analyst, prevention, administrator):
    for user in (analyst, prevention, administrator):
        assert not queries.referrals_visible_to(user).exists()


def test_liaison_without_membership_sees_nothing(world):
    orphan = testing.make_user("liaison")
    assert not queries.referrals_visible_to(orphan).exists()


def test_deactivated_liaison_sees_nothing(world, police_liaison):
    police_liaison.is_active = False
    police_liaison.save()
    assert not queries.referrals_visible_to(police_liaison).exists()


def test_access_is_audited_and_missing_looks_like_foreign(counsellor, make_referral, police, school_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    queries.access_referral(counsellor, referral.pk)
    assert AuditEvent.objects.filter(action="referral.view", object_id=str(referral.pk)).count() == 1
    messages = []
    for key in (referral.pk, 999_999, "abc", "", "1e3", "9" * 40, "\x00"):
        with pytest.raises(Http404) as err:
            queries.access_referral(school_liaison, key)
        messages.append(str(err.value))
    assert len(set(messages)) == 1


def test_overdue_and_pending_approval(counsellor, supervisor, make_referral, police, school):
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        late = make_referral(counsellor, school, state=S.SENT)
        late_ack = make_referral(counsellor, police, state=S.ACKNOWLEDGED)
    fresh = make_referral(counsellor, police, state=S.SENT)
    waiting = make_referral(counsellor, police, state=S.PENDING_APPROVAL)
    assert set(queries.overdue_referrals()) == {late, late_ack}
    assert fresh not in queries.overdue_referrals()
    assert list(queries.pending_approval_referrals()) == [waiting]
    assert late.is_overdue and not fresh.is_overdue


def test_overdue_list_is_scoped_when_a_user_is_given(
    counsellor, make_referral, police, school, police_liaison
):
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        mine = make_referral(counsellor, police, state=S.SENT)
        make_referral(counsellor, school, state=S.SENT)
    assert list(queries.overdue_referrals(police_liaison)) == [mine]


def test_public_status(counsellor, supervisor, make_referral, police, settings):
    case = testing.make_case(counsellor)
    assert queries.public_status(case) == "received"
    assert queries.public_status(None) == "received"
    case = case_actions.transition_case(actor=counsellor, case=case, action="start")
    assert queries.public_status(case) == "being_handled"
    draft = make_referral(counsellor, police, case=case)
    assert queries.public_status(case) == "being_handled"  # a draft has not gone anywhere
    assert queries.public_institutions(case) == []
    actions.transition_referral(actor=supervisor, referral=draft, action="send")
    assert queries.public_status(case) == "forwarded"
    assert queries.public_institutions(case) == []  # no names unless configured
    settings.SMARTSAFE_PUBLIC_STATUS_NAMES_INSTITUTION = True
    assert queries.public_institutions(case) == [police.name]
    case.refresh_from_db()
    case = case_actions.transition_case(
        actor=supervisor, case=case, action="close", resolution="referred_resolved"
    )
    assert queries.public_status(case) == "closed"


def test_a_revoked_referral_does_not_count_as_forwarded(counsellor, supervisor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    actions.transition_referral(actor=counsellor, referral=referral, action="revoke", reason="Грешком")
    assert queries.public_status(referral.case) != "forwarded"
