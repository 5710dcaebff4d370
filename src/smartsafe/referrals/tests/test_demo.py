"""Demo referrals: every state, several institutions with the police high-tech-crime department
among them, some overdue, one bounced e-mail — all written through the referral workflow."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from smartsafe import testing
from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import Case
from smartsafe.demo.referrals import load_demo_referrals
from smartsafe.directory.models import Institution
from smartsafe.referrals import packets, queries
from smartsafe.referrals.models import DeliveryStatus, Referral, ReferralEvent
from smartsafe.referrals.models import ReferralState as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    """The demo's people (the role logins by name) and a few dozen open cases."""
    police = Institution.objects.get(code="rs-police-vtk")
    police.uses_portal = True
    police.save()
    counsellor = testing.make_user("counsellor", "counsellor")
    testing.make_user("supervisor", "supervisor")
    liaison = testing.make_user("liaison", "police", institution=police)
    categories = ["threats_blackmail", "predators", "cyberbullying", "csam", "internet_addiction"]
    for n in range(28):
        case = testing.make_case(
            counsellor,
            title=f"Случај {n}",
            kind="referred",
            urgent=n % 5 == 0,
            urgent_reason="Сусрет" if n % 5 == 0 else "",
            categories=[testing.category(categories[n % len(categories)])],
        )
        # A few stay new, some are being worked on, most wait for an institution already.
        if n >= 3:
            action = "start" if n < 10 else "await_institution"
            case_actions.transition_case(actor=counsellor, case=case, action=action)
    return {"police": police, "liaison": liaison, "counsellor": counsellor}


def test_every_state_several_institutions_police_among_them(centre):
    counts = load_demo_referrals(random.Random(19833))
    assert set(counts) == set(S.values)
    referrals = Referral.objects.select_related("institution")
    assert sum(counts.values()) == referrals.count()
    assert referrals.values("institution").distinct().count() >= 5
    police = referrals.filter(institution=centre["police"])
    assert {r.state for r in police} >= {S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.COMPLETED, S.REJECTED}
    # The police liaison answered in the portal itself; other institutions' answers were recorded.
    assert ReferralEvent.objects.filter(
        referral__in=police, action="acknowledge", actor=centre["liaison"]
    ).exists()
    assert not ReferralEvent.objects.filter(referral__in=police, on_behalf=True).exists()
    assert ReferralEvent.objects.filter(on_behalf=True).exclude(referral__in=police).exists()
    # The liaison's portal: only the police's referrals that left the centre, work waiting.
    visible = queries.referrals_visible_to(centre["liaison"])
    assert visible.count() >= 5 and not visible.exclude(institution=centre["police"]).exists()
    assert visible.filter(state=S.SENT).exists()


def test_some_overdue_and_one_bounced_email(centre):
    load_demo_referrals(random.Random(7))
    overdue = list(queries.overdue_referrals())
    assert len(overdue) >= 2 and any(r.institution == centre["police"] for r in overdue)
    assert all(r.is_overdue for r in overdue)
    failed = Referral.objects.get(delivery_status=DeliveryStatus.FAILED)
    assert failed.state == S.SENT and failed.delivery_method == "email"
    assert failed.delivery_error.startswith("550 ") and failed.delivery_attempts == 1
    # Sent referrals carry their frozen packet and its hash, and the packet tells the same times as
    # the record (the overdue ones were set back in time as a whole, events included).
    for referral in Referral.objects.exclude(sent_at=None):
        assert referral.packet["case"]["reference"] == referral.case.reference
        assert packets.packet_sha256(referral.packet) == referral.packet_sha256
        assert dt.datetime.fromisoformat(referral.packet["referral"]["sent_at"]) == referral.sent_at.replace(
            microsecond=0
        )
        assert abs(referral.events.get(action="approve").at - referral.sent_at) < dt.timedelta(minutes=1)


def test_leaves_new_cases_and_some_in_progress_alone(centre):
    load_demo_referrals(random.Random(3))
    assert not Referral.objects.filter(case__state="new").exists()
    assert Case.objects.filter(state="new").count() == 3
    assert Case.objects.filter(state="in_progress").count() >= 3


def test_runs_once_and_needs_people_and_cases(db, centre):
    assert load_demo_referrals(random.Random(1))
    count = Referral.objects.count()
    assert load_demo_referrals(random.Random(1)) == {}
    assert Referral.objects.count() == count


def test_nothing_without_cases(db):
    testing.make_user("counsellor", "counsellor")
    testing.make_user("supervisor", "supervisor")
    assert load_demo_referrals(random.Random(1)) == {}
