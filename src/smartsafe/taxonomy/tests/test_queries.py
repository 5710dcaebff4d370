import pytest

from smartsafe.taxonomy import queries
from smartsafe.taxonomy.models import AgeBand, Category, Platform

pytestmark = pytest.mark.django_db


def test_referral_categories_and_advisory_topics_are_active_and_ordered(taxonomy):
    assert [c.code for c in queries.referral_categories()] == [
        "profile_abuse",
        "internet_addiction",
        "dangerous_challenges",
        "predators",
        "threats_blackmail",
        "csam",
        "cyberbullying",
    ]
    Category.objects.filter(code="gaming").update(active=False)
    advisory = [c.code for c in queries.advisory_topics()]
    assert "gaming" not in advisory and "privacy_settings" in advisory
    assert not set(advisory) & {c.code for c in queries.referral_categories()}
    assert {c.code for c in queries.urgent_categories()} == {
        "predators",
        "threats_blackmail",
        "csam",
        "self_harm",
        "suicide",
    }


def test_active_returns_display_order(taxonomy):
    AgeBand.objects.filter(code="7-9").update(active=False)
    assert [b.code for b in queries.active(AgeBand)] == [
        "0-6",
        "10-12",
        "13-15",
        "16-17",
        "18-plus",
        "unknown",
    ]


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("instagram.com", "instagram"),
        ("WWW.Instagram.com.", "instagram"),
        ("vm.tiktok.com", "tiktok"),
        ("business.facebook.com", "facebook"),
        ("youtu.be", "youtube"),
        ("t.me", "telegram"),
        ("twitter.com", "x"),
        ("example.org", None),
        ("com", None),
        ("", None),
        ("a" * 300, None),
    ],
)
def test_platform_for_host(taxonomy, host, code):
    platform = queries.platform_for_host(host)
    assert (platform.code if platform else None) == code


def test_an_inactive_platform_is_not_recognised(taxonomy):
    Platform.objects.filter(code="twitch").update(active=False)
    assert queries.platform_for_host("twitch.tv") is None
