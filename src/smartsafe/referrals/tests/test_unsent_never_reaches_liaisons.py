"""A draft revoked before it was sent never becomes visible to the institution."""

import pytest
from django.http import Http404

from smartsafe.referrals.actions import create_referral, transition_referral
from smartsafe.referrals.queries import access_referral, referrals_visible_to
from smartsafe.testing import make_case

pytestmark = pytest.mark.django_db


def test_revoked_draft_is_invisible_to_the_liaison(counsellor, police, police_liaison):
    referral = create_referral(
        actor=counsellor, case=make_case(counsellor), institution=police, kind="report"
    )
    transition_referral(actor=counsellor, referral=referral, action="revoke", reason="Погрешна институција")
    assert not referrals_visible_to(police_liaison).exists()
    with pytest.raises(Http404):
        access_referral(police_liaison, referral.pk)
